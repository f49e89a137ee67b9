/* Analyzer kernel/user contract: the maps analyzer.bpf.c aggregates into and src/analyzer reads.
 * C, fixed-width, pointer-free, explicitly padded: this layout is ABI. */
#ifndef PS_ANALYZER_ABI_H
#define PS_ANALYZER_ABI_H

#ifdef __BPF__
/* vmlinux.h provides the __u* types in BPF programs. */
#else
#include <linux/types.h>
#endif

/* Stack layers, bottom up (same values as pscope::analyzer::Layer). */
enum ps_layer {
  PS_LAYER_LINK = 0,
  PS_LAYER_NETWORK = 1,
  PS_LAYER_TRANSPORT = 2,
  PS_LAYER_SOCKET = 3,
  PS_LAYERS = 4,
};

enum ps_an_dir { PS_AN_RX = 0, PS_AN_TX = 1, PS_AN_DIRS = 2 };

/* Layer pairs with a latency histogram (one per-CPU array slot each). Values are ABI. */
enum ps_an_pair {
  PS_PAIR_RX_LINK_NET = 0,   /* netif_receive_skb -> input route lookup (fib/fib6) */
  PS_PAIR_RX_LINK_L4 = 1,    /* netif_receive_skb -> tcp_probe */
  PS_PAIR_RX_NET_L4 = 2,     /* route lookup -> tcp_probe */
  PS_PAIR_RX_LINK_SOCK = 3,  /* netif_receive_skb -> skb_copy_datagram_iovec (the read) */
  PS_PAIR_RX_NET_SOCK = 4,   /* route lookup -> the read */
  PS_PAIR_RX_L4_SOCK = 5,    /* tcp_probe -> the read */
  PS_PAIR_TX_L4_LINK = 6,    /* TCP departure stamp (skb->tstamp, EDT) -> net_dev_queue */
  PS_PAIR_TX_LINK_LINK = 7,  /* net_dev_queue -> net_dev_xmit (qdisc + driver) */
  PS_PAIRS = 8,
};

#define PS_HIST_BUCKETS 64 /* bucket i: [2^i, 2^(i+1)) ns; 0 ns falls in bucket 0 */
/* Drop reasons below PS_AN_REASON_OTHER have their own slot; larger values (subsystem reasons,
 * SKB_DROP_REASON_SUBSYS_MASK) share the last one. */
#define PS_AN_REASONS 256
#define PS_AN_REASON_OTHER (PS_AN_REASONS - 1)

struct ps_an_volume {
  __u64 packets; /* wire packets: gso_segs of a GSO/GRO skb, else 1 */
  __u64 bytes;   /* skb->len */
};

/* Everything counted per CPU in one slot (key 0), so each program looks it up once. */
struct ps_an_counters {
  struct ps_an_volume layer[PS_LAYERS][PS_AN_DIRS];
  __u64 tcp_retransmits;   /* tcp:tcp_retransmit_skb with err == 0 */
  __u64 tcp_rst_sent;      /* tcp:tcp_send_reset */
  __u64 tcp_rst_received;  /* tcp:tcp_receive_reset */
  __u64 tcp_bad_csum;      /* tcp:tcp_bad_csum */
  __u64 drops;             /* kfree_skb (every reason) */
  __u64 sample_seq;        /* latency sampling sequence (1 in cfg_latency_sample) */
  __u64 sampled;           /* packets picked for latency timing */
  __u64 flow_inserts;      /* new flow entries (LRU: inserts - entries = evictions) */
  __u64 flow_insert_fail;
  __u64 iface_inserts;
  __u64 iface_insert_fail; /* interface table full */
  __u64 track_inserts;     /* new entries in the in-flight latency table (LRU: inserts -
                              entries = pushed out) */
  __u64 track_reused;      /* timings started in an entry kept for a recycled skb address */
  __u64 track_ended;       /* timed packets that reached their last hop */
  __u64 track_insert_fail;
  __u64 pad[1];
};

/* One per-CPU slot per enum ps_an_pair. The exact maximum is kept per collection epoch (the
 * global an_epoch, advanced by user space each interval): max[e & 1] belongs to epoch
 * max_epoch[e & 1], so user space reads the finished epoch's maximum without writing. */
struct ps_an_hist {
  __u64 buckets[PS_HIST_BUCKETS];
  __u64 max[2];
  __u32 max_epoch[2];
};

/* One end's view of a conversation: receive keys have local = destination, transmit keys
 * local = source. ICMP echo: lport 0, rport = identifier (the same for request and reply). */
struct ps_an_flow_key {
  __u8 local[16];   /* IPv4 in the first 4 bytes (network order) */
  __u8 remote[16];
  __u16 lport;      /* host order */
  __u16 rport;
  __u32 netns;      /* network namespace inode */
  __u8 proto;       /* IPPROTO_* */
  __u8 family;      /* 4 or 6 */
  __u8 pad[2];
};

/* Per-CPU value of the flow table (LRU_PERCPU_HASH): user space sums counters over CPUs. First
 * and last activity are user space's (the interval a counter first / last moved): a clock read
 * per packet would cost every packet. */
struct ps_an_flow {
  struct ps_an_volume rx, tx;  /* link layer, both directions */
  __u64 rx_payload;            /* transport payload bytes (after the L4 header) */
  __u64 tx_payload;
  struct ps_an_volume sock_rx; /* sock_recv_length: calls with data, bytes */
  struct ps_an_volume sock_tx; /* sock_send_length */
  __u64 drops;
  __u64 retransmits;
  __u64 rst_sent;
  __u64 rst_received;
  __u64 lat_sum_ns;            /* receive link -> socket, timed packets */
  __u64 lat_count;
  __u64 lat_max_ns;
  __u64 cookie;                /* socket cookie, 0 until a socket call is seen */
  /* TCP state read from the socket (tcp_sock) at each send/receive call: */
  __u32 srtt_us;               /* smoothed RTT (us) */
  __u32 cwnd;                  /* congestion window (segments) */
  __u32 ooo_packets;           /* out-of-order packets received (tp->rcv_ooopack) */
  __u32 sacked_out;            /* SACKed segments outstanding */
  __u64 probe_jiffies;         /* when they were read (picks the newest CPU's copy) */
  __u32 pid;                   /* process of the last socket call */
  __u32 pad0;
  char comm[16];
};

struct ps_an_iface_key {
  __u32 ifindex; /* 0: no device (drops seen without one) */
  __u32 netns;
};

struct ps_an_iface {
  struct ps_an_volume rx, tx;
  __u64 drops;
};

/* In-flight latency table (LRU_HASH by skb address): only timed packets. An entry outlives its
 * packet (ts[0] = 0 after the last hop) and is reused when the address comes back. */
struct ps_an_track {
  __u64 head;    /* skb->head when timing started: an address recycled for another skb differs */
  __u64 ts[3];   /* bpf_ktime_get_ns at link, network (0 if unseen), transport (0 if unseen) */
  struct ps_an_flow_key key;
  __u32 pad;
};

#ifndef __BPF__
#ifdef __cplusplus
static_assert(sizeof(struct ps_an_counters) == 128 + 16 * 8, "ps_an_counters layout is ABI");
static_assert(sizeof(struct ps_an_hist) == 8 * PS_HIST_BUCKETS + 24, "ps_an_hist layout is ABI");
static_assert(sizeof(struct ps_an_flow_key) == 44, "ps_an_flow_key layout is ABI");
static_assert(sizeof(struct ps_an_flow) == 192, "ps_an_flow layout is ABI");
static_assert(sizeof(struct ps_an_iface) == 40, "ps_an_iface layout is ABI");
static_assert(sizeof(struct ps_an_track) == 80, "ps_an_track layout is ABI");
#endif
#else
_Static_assert(sizeof(struct ps_an_counters) == 128 + 16 * 8, "ps_an_counters layout is ABI");
_Static_assert(sizeof(struct ps_an_hist) == 8 * PS_HIST_BUCKETS + 24, "ps_an_hist layout is ABI");
_Static_assert(sizeof(struct ps_an_flow_key) == 44, "ps_an_flow_key layout is ABI");
_Static_assert(sizeof(struct ps_an_flow) == 192, "ps_an_flow layout is ABI");
_Static_assert(sizeof(struct ps_an_iface) == 40, "ps_an_iface layout is ABI");
_Static_assert(sizeof(struct ps_an_track) == 80, "ps_an_track layout is ABI");
#endif

#endif
