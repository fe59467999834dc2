/* secondsight - libpcap's link types, with the values not defined everywhere. */
#ifndef SS_DECODE_DLT_H
#define SS_DECODE_DLT_H

#include <pcap/dlt.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#endif
