#!/usr/bin/python3
"""secondsight test helper: a findings file of 500+ alerts in many runs, made from the
records of real runs (the golden case of make-findings) so that every key is what
analyze writes, with what stresses a page: hundreds of findings and runs, long IPv6
addresses, names and URLs without a place to break, damaged and missing inputs, diff
runs, and one forger behind findings on several servers (its tells and hop distance
shared).

usage: gen-many-findings.py GOLDEN.jsonl OUTDIR
Writes OUTDIR/findings.jsonl and the evidence files it links to, in OUTDIR/ev."""
import copy
import json
import os
import random
import sys

RUNS = 64
PER_RUN = 9


def main():
    golden, outdir = sys.argv[1], sys.argv[2]
    recs = [json.loads(l) for l in open(golden) if l.strip()]
    alerts = [r for r in recs if r["event_type"] == "alert" and r.get("evidence_pcap")]
    stats = next(r for r in recs if r["event_type"] == "stats" and
                 "diff" not in r["stats"] and r["stats"]["files"][0]["error"] is None)
    diff_run = []
    for r in recs:  # the records of the tampered diff run, its stats last
        if r["event_type"] in ("alert", "device_flow") and (
                r["event_type"] == "device_flow" or r["class"].startswith("device_")):
            diff_run.append(r)
        elif r["event_type"] == "stats" and diff_run:
            if r["stats"].get("diff", {}).get("verdict") == "tampered":
                diff_run.append(r)
                break
            diff_run = []
    forged = [a for a in alerts if a["evidence"].get("forger_hops") is not None and
              any(c.get("role") == "forged" for c in
                  a["evidence"].get("copies", a["evidence"].get("answers", [])))]
    rnd = random.Random(17)
    os.makedirs(os.path.join(outdir, "ev"), exist_ok=True)
    out = open(os.path.join(outdir, "findings.jsonl"), "w")
    n = 0
    for run in range(RUNS):
        if run % 16 == 5:  # a diff run now and then
            for r in diff_run:
                out.write(json.dumps(r, separators=(",", ":")) + "\n")
            n += sum(1 for r in diff_run if r["event_type"] == "alert")
            continue
        pcap = "sensor-%02d/capture-%04d%s.pcap" % (run % 4, run,
                                                    "-" + "x" * 120 if run % 7 == 3 else "")
        for k in range(PER_RUN):
            n += 1
            a = copy.deepcopy(rnd.choice(alerts))
            if run % 3 == 0 and k < 3:  # one forger, ~3 hops out, behind many servers
                a = copy.deepcopy(rnd.choice(forged))
                a["evidence"]["forger_hops"] = 3
                a["evidence"]["hops_reliable"] = True
                for c in a["evidence"].get("copies", a["evidence"].get("answers", [])):
                    if c.get("role") == "forged":
                        c["tells"] = ["df", "no_timestamp", "ttl"]
                a["flow"]["src_ip"] = "198.51.100.%d" % (run % 11 + 1)
            elif k == 4:
                a["flow"]["src_ip"] = "2001:db8:ffff:ffff:ffff:ffff:ffff:%x" % run
                a["flow"]["dest_ip"] = "2001:db8:eeee:eeee:eeee:eeee:eeee:%x" % k
            if k == 5:
                a["summary"] = a["summary"][:120] + " http://" + "long-name." * 20 + "example/"
                if "app" in a:
                    a["app"]["location"] = "http://exploit.example/" + "a" * 200
            a["timestamp"] = "2024-02-%02dT%02d:%02d:%02d.%06dZ" % (
                run // 24 + 1, run % 24, k * 6, rnd.randrange(60), rnd.randrange(10**6))
            a["confidence"] = rnd.choice(["high", "high", "medium", "low"])
            a["evidence"]["pcap"] = pcap
            ev = "ev/%s-%s-%04d.pcap" % (a["timestamp"][:19].replace(":", ""), a["class"], n)
            for ext in (".pcap", ".txt"):
                open(os.path.join(outdir, ev[:-5] + ext), "w").close()
            a["evidence_pcap"] = os.path.join(outdir, ev)
            out.write(json.dumps(a, separators=(",", ":")) + "\n")
        s = copy.deepcopy(stats)
        s["timestamp"] = "2024-02-%02dT%02d:59:00.000000Z" % (run // 24 + 1, run % 24)
        f = s["stats"]["files"][0]
        f["pcap"], f["findings"] = pcap, PER_RUN
        if run % 10 == 2:
            f["error"] = "damaged at byte offset 9172 after 97 good packets: truncated dump file"
        if run % 10 == 7:
            s["stats"]["files"].append(dict(f, pcap="sensor-9/missing-%d.pcap" % run,
                                            error="No such file or directory", packets=0))
        out.write(json.dumps(s, separators=(",", ":")) + "\n")
    out.close()
    print("%d findings in %d runs" % (n, RUNS))


main()
