/* secondsight - N pipelines, one per partition of the traffic (pipeline_partition),
 * each on a thread of its own, and the ordered merge of their findings. Two ways to
 * feed them: offline (--threads) a reader pipeline decodes every frame, reassembles
 * fragments and diverts TCP/UDP packets to their partition's shard in batches; live
 * (fanout) each shard is a worker that a capture thread of its own feeds, the kernel
 * having partitioned the traffic by the same rule. Findings reach `out` in the order
 * one thread would make them (offline) or as they come (fanout). */
#ifndef SS_SHARDS_H
#define SS_SHARDS_H

#include "pipeline.h"

struct shards_config {
    uint32_t n;                      /* shards, 2 to CAPTURE_MAX_WORKERS */
    int fanout;                      /* fed by capture threads (live), not by a reader */
    uint32_t nsources;               /* fanout: each worker's sources (interfaces) */
    struct pipeline_config pipeline; /* the whole run's; each shard gets a part */
    /* Fanout: worker i's every frame and finding, for evidence where the packets are;
     * either may be NULL. Called on worker i's thread. */
    void (*worker_tap)(void *ctx, uint32_t i, const struct packet *pkt);
    void (*worker_finding)(void *ctx, uint32_t i, struct finding *f);
    void *ctx;
};

struct shards;

/* The caps of one of `n` shards: an equal part of the whole. */
struct flow_config shard_flow_config(const struct flow_config *whole, uint32_t n);

/* Makes the shards (and, offline, starts their threads); NULL when out of memory. */
struct shards *shards_new(const struct shards_config *c, struct finding_sink *out);
/* Stops the threads and frees everything. */
void shards_free(struct shards *sh);

/* Offline: `reader` decodes every frame; its TCP/UDP packets go to the shards and its
 * own findings (fragments, flowless packets) join the merge. */
void shards_attach_reader(struct shards *sh, struct pipeline *reader);
/* Offline: the pool of read blocks whose frames reach the shards without a copy (see
 * capture_file_read); NULL in fanout. */
struct block_pool *shards_blocks(struct shards *sh);
/* Offline, instead of pipeline_frame on the reader (no evidence ring, no --shard):
 * a frame whose partition its headers tell (pipeline_peek_partition) goes to its
 * shard undecoded, decoded and counted there; the rest, and shard 0's, the reader
 * decodes as before. */
void shards_frame(struct shards *sh, struct packet *pkt);
/* Offline: after each frame the reader read; now and then writes what is final. */
void shards_tick(struct shards *sh);
/* No frame for a while: frames waiting for a full batch go to their shards, and the
 * findings that are final are written. */
void shards_idle(struct shards *sh);
/* End of input (fanout: every worker thread has ended): the shards and the reader
 * report what their detectors held back, and every finding is written. */
void shards_finish(struct shards *sh);

/* Fanout: worker i's pipeline and its counters of source `index`, for the capture
 * thread that alone feeds it; it publishes its counters now and then. */
struct pipeline *shards_worker(struct shards *sh, uint32_t i);
struct file_stats *shards_worker_source(struct shards *sh, uint32_t i, uint32_t index);
void shards_publish(struct shards *sh, uint32_t i);

/* The shards' counters added into a stats record: the flows (and, fanout, every packet
 * counter and the sources' counts); rec's pointers then point into sh. 0 when a
 * finding was lost for want of memory. */
int shards_sum(struct shards *sh, struct run_stats *rec);

#endif
