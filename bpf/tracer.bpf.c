/* Tracer kernel programs: follow skbs through the stack's tracepoints (tp_btf only: kprobes and
 * fentry are not assumed), count them per hook, and report every drop with its reason, the
 * freeing call site and the parsed headers. The TC hook parses packets directly and is what the
 * BPF_PROG_TEST_RUN tests exercise. */
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
const volatile __u32 cfg_netns_filter = 0;    /* only this netns inode (0 = all) */

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
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} tracer_sample_seq SEC(".maps");

static __always_inline void counter__add(__u32 idx, __u64 n) {
  __u64 *v = bpf_map_lookup_elem(&tracer_counters, &idx);
  if (v)
    *v += n;
}

static __always_inline __u32 skb__netns(struct sk_buff *skb) {
  struct net_device *dev = BPF_CORE_READ(skb, dev);
  if (dev)
    return BPF_CORE_READ(dev, nd_net.net, ns.inum);
  struct sock *sk = BPF_CORE_READ(skb, sk);
  if (sk)
    return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
  return 0;
}

static __always_inline bool sample__take(void) {
  if (cfg_drop_sample <= 1)
    return true;
  __u32 zero = 0;
  __u64 *seq = bpf_map_lookup_elem(&tracer_sample_seq, &zero);
  if (!seq)
    return true;
  return (++*seq % cfg_drop_sample) == 0;
}

/* Copies headers from an skb seen at a tracepoint, starting at the network header when the
 * stack has set it (receive after L2, and transmit), else at the MAC header. */
static __always_inline void skb__capture(struct sk_buff *skb, struct ps_drop_event *ev) {
  unsigned char *head = BPF_CORE_READ(skb, head);
  __u16 nh = BPF_CORE_READ(skb, network_header);
  __u16 mh = BPF_CORE_READ(skb, mac_header);
  __u32 tail = BPF_CORE_READ(skb, tail);
  __u16 l3 = bpf_ntohs(BPF_CORE_READ(skb, protocol));
  bool from_mac = (nh == (__u16)~0U || nh == 0) && mh != (__u16)~0U;
  __u32 start = from_mac ? mh : nh;
  if (start == (__u16)~0U || tail <= start)
    return;
  __u32 avail = tail - start;
  if (avail > PS_HDR_CAP)
    avail = PS_HDR_CAP;
  /* A fixed-size read keeps the verifier simple; bytes past `tail` are still inside the
   * allocation (skb_shared_info follows `end` >= `tail`) and are never parsed: cap = avail. */
  if (bpf_probe_read_kernel(ev->data, PS_HDR_CAP, head + start))
    return;
  ev->caplen = avail;
  struct ps_cursor c = {.buf = ev->data, .cap = avail};
  if (from_mac)
    pkt__parse_l2(&c, &ev->meta);
  else
    pkt__parse_l3(&c, 0, l3, &ev->meta);
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(tracer_netif_receive_skb, struct sk_buff *skb) {
  counter__add(PS_TC_RX, 1);
  return 0;
}

SEC("tp_btf/net_dev_xmit")
int BPF_PROG(tracer_net_dev_xmit, struct sk_buff *skb, int rc) {
  counter__add(PS_TC_TX, 1);
  return 0;
}

SEC("tp_btf/consume_skb")
int BPF_PROG(tracer_consume_skb, struct sk_buff *skb) {
  counter__add(PS_TC_CONSUME, 1);
  return 0;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(tracer_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason) {
  __u32 netns = skb__netns(skb);
  if (cfg_netns_filter && netns != cfg_netns_filter)
    return 0;
  counter__add(PS_TC_DROP, 1);
  if (!sample__take()) {
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
  ev->ifindex = BPF_CORE_READ(skb, dev, ifindex);
  if (!ev->ifindex)
    ev->ifindex = BPF_CORE_READ(skb, skb_iif);
  ev->meta.pkt_len = BPF_CORE_READ(skb, len);
  skb__capture(skb, ev);
  counter__add(PS_TC_PROTO_BASE + proto__class(&ev->meta), 1);
  bpf_ringbuf_submit(ev, 0);
  return 0;
}

/* TC classifier (ingress or egress): parses the frame from its Ethernet header, counts it, and
 * optionally reports it. Never changes the verdict. */
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
  bpf_ringbuf_submit(ev, 0);
  return -1;
}
