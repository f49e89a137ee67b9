/* Tracer kernel programs, on tracepoints only (tp_btf; kprobes and fentry are not assumed):
 *  - counters per hook and a drop record for every kfree_skb (reason, call site, headers);
 *  - per-packet paths: each skb is followed by address from its first hook to consume_skb or
 *    kfree_skb, and emitted once, with every hop, when it ends (path_track.bpf.h);
 *  - a record for every socket state change (sock:inet_sock_set_state);
 *  - a TC classifier that parses frames directly (also what the BPF_PROG_TEST_RUN tests use). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "ps/tracer_abi.h"
#include "parse.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load. */
const volatile __u32 cfg_drop_sample = 1;     /* report 1 in N drops (counters stay exact) */
const volatile __u32 cfg_emit_tc_events = 0;  /* also report packets seen by the TC hook */
const volatile __u32 cfg_drop_records = 1;    /* emit a drop record per kfree_skb (counters regardless) */
const volatile __u32 cfg_netns_filter = 0;    /* drop and socket-state records: only this netns
                                                 inode (0 = all) */
const volatile __u32 cfg_track_paths = 1;     /* follow packets and emit path records */

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, PS_TC_COUNTER_MAX);
  __type(key, __u32);
  __type(value, __u64);
} tracer_counters SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4 * 1024 * 1024);
} tracer_events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2); /* 0: drop sampling, 1: path sampling */
  __type(key, __u32);
  __type(value, __u64);
} tracer_sample_seq SEC(".maps");


static __always_inline void counter__add(__u32 idx, __u64 n) {
  __u64 *v = bpf_map_lookup_elem(&tracer_counters, &idx);
  if (v)
    *v += n;
}

/* Ring-buffer wake-ups cost an irq_work and a context switch each; user space polls with a
 * 100 ms timeout anyway, so records wake it only once enough of them are waiting. */
#define PS_RB_WAKE_BYTES (128 * 1024)
static __always_inline __u64 rb__flags(void *rb) {
  return bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) >= PS_RB_WAKE_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* tp_btf arguments are BTF pointers: plain member loads (CO-RE relocated through vmlinux.h's
 * preserve_access_index, faults caught by the verifier's PROBE_MEM) cost a load each, where a
 * BPF_CORE_READ is a bpf_probe_read_kernel call per step. But skb->dev shares a union with
 * dev_scratch, which UDP (and others) reuse once a packet is queued to a socket: there it is
 * not a pointer, and a plain load through it faults — a trip through the exception table that
 * cost ~10 us per packet. So device-layer hooks (where skb->dev is the device) load directly,
 * and socket-side and end-of-life hooks use the probe reads, which refuse bad addresses cheaply. */
static __always_inline __u32 skb__netns(struct sk_buff *skb) {
  struct net_device *dev = skb->dev;
  if (dev)
    return dev->nd_net.net->ns.inum;
  struct sock *sk = skb->sk;
  if (sk)
    return sk->__sk_common.skc_net.net->ns.inum;
  return 0;
}

static __always_inline __u32 skb__ifindex(struct sk_buff *skb) {
  struct net_device *dev = skb->dev;
  return dev ? dev->ifindex : 0;
}

static __always_inline __u32 skb__netns_safe(struct sk_buff *skb) {
  struct net_device *dev = BPF_CORE_READ(skb, dev);
  if (dev)
    return BPF_CORE_READ(dev, nd_net.net, ns.inum);
  struct sock *sk = BPF_CORE_READ(skb, sk);
  if (sk)
    return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
  return 0;
}

static __always_inline __u32 skb__ifindex_safe(struct sk_buff *skb) {
  return BPF_CORE_READ(skb, dev, ifindex);
}

static __always_inline bool sample__take(__u32 slot, __u32 every) {
  if (every <= 1)
    return true;
  __u64 *seq = bpf_map_lookup_elem(&tracer_sample_seq, &slot);
  if (!seq)
    return true;
  return (++*seq % every) == 0;
}

/* Copies headers from an skb seen at a tracepoint, starting at the network header when the
 * stack has set it (receive after L2, and transmit), else at the MAC header. */
static __always_inline void skb__capture(struct sk_buff *skb, __u8 *data, __u32 *caplen,
                                         struct ps_pkt_meta *meta) {
  unsigned char *head = skb->head;
  __u16 nh = skb->network_header;
  __u16 mh = skb->mac_header;
  __u32 tail = skb->tail;
  __u16 l3 = bpf_ntohs(skb->protocol);
  bool from_mac = (nh == (__u16)~0U || nh == 0) && mh != (__u16)~0U;
  __u32 start = from_mac ? mh : nh;
  if (start == (__u16)~0U || tail <= start)
    return;
  __u32 avail = tail - start;
  if (avail > PS_HDR_CAP)
    avail = PS_HDR_CAP;
  /* A fixed-size read keeps the verifier simple; bytes past `tail` are still inside the
   * allocation (skb_shared_info follows `end` >= `tail`) and are never parsed: cap = avail. */
  if (bpf_probe_read_kernel(data, PS_HDR_CAP, head + start))
    return;
  *caplen = avail;
  struct ps_cursor c = {.buf = data, .cap = avail};
  if (from_mac)
    pkt__parse_l2(&c, meta);
  else
    pkt__parse_l3(&c, 0, l3, meta);
}

/* ---- path tracking ------------------------------------------------------------------------ */

#include "path_track.bpf.h"

/* ---- receive ------------------------------------------------------------------------------ */

SEC("tp_btf/napi_gro_receive_entry")
int BPF_PROG(tracer_gro_receive, struct sk_buff *skb) {
  path__enter(skb, PS_HOOK_GRO_RECEIVE, false);
  return 0;
}

SEC("tp_btf/netif_rx")
int BPF_PROG(tracer_netif_rx, struct sk_buff *skb) {
  path__enter(skb, PS_HOOK_NETIF_RX, false);
  return 0;
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(tracer_netif_receive_skb, struct sk_buff *skb) {
  counter__add(PS_TC_RX, 1);
  __u32 zero = 0;
  __u64 *cur = bpf_map_lookup_elem(&tracer_cur_rx, &zero);
  if (cur)
    *cur = (__u64)skb;
  path__enter(skb, PS_HOOK_NETIF_RECEIVE, false);
  return 0;
}

SEC("tp_btf/fib_table_lookup")
int BPF_PROG(tracer_fib_lookup, u32 tb_id, const struct flowi4 *flp, const struct fib_nh_common *nhc, int err) {
  /* Local routes have host scope, and their next hop RT_SCOPE_NOWHERE (the local and main
   * tables are merged without custom rules, so tb_id cannot tell). */
  bool local = err == 0 && nhc && nhc->nhc_scope == 255 /* RT_SCOPE_NOWHERE */;
  path__route_hop(PS_HOOK_FIB_LOOKUP, (__u16)(err < 0 ? -err : 0), local);
  return 0;
}

SEC("tp_btf/fib6_table_lookup")
int BPF_PROG(tracer_fib6_lookup, const struct net *net, const struct fib6_result *res, struct fib6_table *table,
             const struct flowi6 *flp) {
  __u8 type = res->fib6_type;
  path__route_hop(PS_HOOK_FIB6_LOOKUP, type, type == 2 /* RTN_LOCAL */);
  return 0;
}

SEC("tp_btf/tcp_probe")
int BPF_PROG(tracer_tcp_probe, struct sock *sk, struct sk_buff *skb) {
  path__step(skb, PS_HOOK_TCP_RCV, sk->__sk_common.skc_state);
  return 0;
}

SEC("tp_btf/udp_fail_queue_rcv_skb")
int BPF_PROG(tracer_udp_queue_fail, int rc, struct sock *sk, struct sk_buff *skb) {
  path__step(skb, PS_HOOK_UDP_QUEUE_FAIL, (__u16)(rc < 0 ? -rc : rc));
  return 0;
}

SEC("tp_btf/sock_rcvqueue_full")
int BPF_PROG(tracer_rcvqueue_full, struct sock *sk, struct sk_buff *skb) {
  path__step(skb, PS_HOOK_SOCK_RCVQ_FULL, 0);
  return 0;
}

SEC("tp_btf/skb_copy_datagram_iovec")
int BPF_PROG(tracer_copy_to_user, struct sk_buff *skb, int len) {
  if (!cfg_track_paths || !tracer_any)
    return 0;
  __u64 key = (__u64)skb;
  struct ps_path_event *p = bpf_map_lookup_elem(&tracer_inflight, &key);
  if (!p)
    return 0;
  const struct ps_filter *f = filter__get();
  path__hop(p, skb, PS_HOOK_COPY_TO_USER, 0, f);
  /* The reader's process context: who received this packet. */
  p->tgid = bpf_get_current_pid_tgid() >> 32;
  bpf_get_current_comm(p->comm, sizeof(p->comm));
  /* TCP and UDP free read data without a tracepoint (__kfree_skb, deferred frees): the
   * application is its end. */
  if (p->meta.l4_proto == PS_IPPROTO_TCP || p->meta.l4_proto == PS_IPPROTO_UDP) {
    p->flags |= PS_PATH_END_IMPLICIT;
    path__finish(p, key, false, f);
  }
  return 0;
}

SEC("tp_btf/icmp_send")
int BPF_PROG(tracer_icmp_send, struct sk_buff *skb, int type, int code) {
  path__step(skb, PS_HOOK_ICMP_SEND, (__u16)(((type & 0xff) << 8) | (code & 0xff)));
  return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(tracer_tcp_send_reset, struct sock *sk, struct sk_buff *skb) {
  if (skb)
    path__step(skb, PS_HOOK_TCP_SEND_RESET, 0);
  return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(tracer_tcp_retransmit, struct sock *sk, struct sk_buff *skb) {
  path__step(skb, PS_HOOK_TCP_RETRANSMIT, 0);
  return 0;
}

/* ---- transmit ----------------------------------------------------------------------------- */

SEC("tp_btf/net_dev_queue")
int BPF_PROG(tracer_net_dev_queue, struct sk_buff *skb) {
  path__enter(skb, PS_HOOK_NET_DEV_QUEUE, true);
  return 0;
}

SEC("tp_btf/qdisc_enqueue")
int BPF_PROG(tracer_qdisc_enqueue, struct Qdisc *q, const struct netdev_queue *txq, struct sk_buff *skb) {
  path__step(skb, PS_HOOK_QDISC_ENQUEUE, 0);
  return 0;
}

SEC("tp_btf/qdisc_dequeue")
int BPF_PROG(tracer_qdisc_dequeue, struct Qdisc *q, const struct netdev_queue *txq, int npkt, struct sk_buff *skb) {
  if (skb)
    path__step(skb, PS_HOOK_QDISC_DEQUEUE, (__u16)npkt);
  return 0;
}

SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(tracer_start_xmit, struct sk_buff *skb) {
  path__step(skb, PS_HOOK_START_XMIT, 0);
  return 0;
}

SEC("tp_btf/net_dev_xmit")
int BPF_PROG(tracer_net_dev_xmit, struct sk_buff *skb, int rc) {
  counter__add(PS_TC_TX, 1);
  path__step(skb, PS_HOOK_DEV_XMIT, (__u16)rc);
  return 0;
}

/* ---- end of life -------------------------------------------------------------------------- */

SEC("tp_btf/consume_skb")
int BPF_PROG(tracer_consume_skb, struct sk_buff *skb, void *location) {
  counter__add(PS_TC_CONSUME, 1);
  path__leave(skb, PS_HOOK_CONSUME, location, 0);
  return 0;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(tracer_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason) {
  path__leave(skb, PS_HOOK_KFREE, location, (__u32)reason);
  __u32 netns = skb__netns_safe(skb);
  if (cfg_netns_filter && netns != cfg_netns_filter)
    return 0;
  counter__add(PS_TC_DROP, 1);
  if (!cfg_drop_records)
    return 0;
  if (!sample__take(0, cfg_drop_sample)) {
    counter__add(PS_TC_SAMPLED_OUT, 1);
    return 0;
  }
  struct ps_drop_event *ev = bpf_ringbuf_reserve(&tracer_events, sizeof(*ev), 0);
  if (!ev) {
    counter__add(PS_TC_RB_LOST, 1);
    return 0;
  }
  __builtin_memset(ev, 0, sizeof(*ev) - PS_HDR_CAP);
  ev->kind = PS_EV_DROP;
  ev->ts_ns = bpf_ktime_get_ns();
  ev->location = (__u64)location;
  ev->skb = (__u64)skb;
  ev->reason = (__u32)reason;
  ev->netns = netns;
  ev->ifindex = skb__ifindex_safe(skb);
  if (!ev->ifindex)
    ev->ifindex = skb->skb_iif;
  ev->meta.pkt_len = skb->len;
  skb__capture(skb, ev->data, &ev->caplen, &ev->meta);
  counter__add(PS_TC_PROTO_BASE + proto__class(&ev->meta), 1);
  bpf_ringbuf_submit(ev, rb__flags(&tracer_events));
  return 0;
}

/* ---- socket state ------------------------------------------------------------------------- */

#define PS_AF_INET 2
#define PS_AF_INET6 10

/* Every state change of a TCP (or DCCP/SCTP/MPTCP) socket. User space loads this program only
 * when it has a consumer for these records. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tracer_sock_state, const struct sock *sk, const int oldstate, const int newstate) {
  __u32 netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
  if (cfg_netns_filter && netns != cfg_netns_filter)
    return 0;
  __u16 af = BPF_CORE_READ(sk, __sk_common.skc_family);
  if (af != PS_AF_INET && af != PS_AF_INET6)
    return 0;
  struct ps_sock_event *ev = bpf_ringbuf_reserve(&tracer_events, sizeof(*ev), 0);
  if (!ev) {
    counter__add(PS_TC_RB_LOST, 1);
    return 0;
  }
  __builtin_memset(ev, 0, sizeof(*ev));
  ev->kind = PS_EV_SOCK_STATE;
  ev->ts_ns = bpf_ktime_get_ns();
  ev->sk = (__u64)sk;
  ev->cookie = bpf_get_socket_cookie((void *)sk);
  ev->netns = netns;
  ev->oldstate = (__u8)oldstate;
  ev->newstate = (__u8)newstate;
  ev->protocol = (__u16)BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol); /* a bitfield before 5.6 */
  /* inet_sport, not skc_num: the latter is cleared when the port is released, before the last
   * change (to CLOSE) is traced. */
  ev->sport = bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
  ev->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
  if (af == PS_AF_INET) {
    ev->family = 4;
    BPF_CORE_READ_INTO((__u32 *)ev->saddr, sk, __sk_common.skc_rcv_saddr);
    BPF_CORE_READ_INTO((__u32 *)ev->daddr, sk, __sk_common.skc_daddr);
  } else {
    ev->family = 6;
    BPF_CORE_READ_INTO((struct in6_addr *)ev->saddr, sk, __sk_common.skc_v6_rcv_saddr);
    BPF_CORE_READ_INTO((struct in6_addr *)ev->daddr, sk, __sk_common.skc_v6_daddr);
  }
  ev->tgid = bpf_get_current_pid_tgid() >> 32;
  bpf_get_current_comm(ev->comm, sizeof(ev->comm));
  bpf_ringbuf_submit(ev, rb__flags(&tracer_events));
  return 0;
}

/* ---- TC classifier ------------------------------------------------------------------------ */

/* Parses the frame from its Ethernet header, counts it, and optionally reports it. Never
 * changes the verdict. */
SEC("tc")
int tracer_tc(struct __sk_buff *skb) {
  counter__add(PS_TC_TC_SEEN, 1);
  if (!cfg_emit_tc_events)
    return -1; /* TC_ACT_UNSPEC: let the next classifier / default action decide */
  struct ps_drop_event *ev = bpf_ringbuf_reserve(&tracer_events, sizeof(*ev), 0);
  if (!ev) {
    counter__add(PS_TC_RB_LOST, 1);
    return -1;
  }
  __builtin_memset(ev, 0, sizeof(*ev) - PS_HDR_CAP);
  ev->kind = PS_EV_TC_PACKET;
  ev->ts_ns = bpf_ktime_get_ns();
  ev->ifindex = skb->ifindex;
  ev->meta.pkt_len = skb->len;
  __u32 cap = skb->len;
  if (cap > PS_HDR_CAP)
    cap = PS_HDR_CAP;
  if (cap == 0 || bpf_skb_load_bytes(skb, 0, ev->data, cap)) {
    ev->meta.flags |= PS_META_TRUNCATED;
    cap = 0;
  }
  ev->caplen = cap;
  struct ps_cursor c = {.buf = ev->data, .cap = cap};
  if (cap)
    pkt__parse_l2(&c, &ev->meta);
  bpf_ringbuf_submit(ev, rb__flags(&tracer_events));
  return -1;
}
