/* The analyzer's tracepoint programs. Included by analyzer.bpf.c after its maps and helpers;
 * not a stand-alone header. Argument lists follow this kernel family's btf_trace_* types. */
#pragma once

#define AN_SKB_CLOCK_MONOTONIC 1 /* enum skb_tstamp_type: skb->tstamp is a departure time */
#define AN_MSG_PEEK 2
#define AN_ROUTE_HOP_MAX_NS (1000ULL * 1000) /* a receive route lookup runs within its skb's softirq */

/* ---- receive ------------------------------------------------------------------------------ */

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(analyzer_netif_receive_skb, struct sk_buff *skb) {
  struct net_device *dev = skb->dev;
  __u32 netns = dev__netns(dev);
  if (netns__skip(netns))
    return 0;
  struct ps_an_counters *c = counters();
  struct an_cur *cur = cur__get(PS_AN_RX);
  if (!c || !cur)
    return 0;
  __u32 ifindex = dev ? dev->ifindex : 0;
  struct an_pkt p = {};
  link__account(skb, c, PS_AN_RX, ifindex, netns, &p);
  cur->skb = (__u64)skb;
  cur->ts[0] = 0;
  cur->tracked = 0;
  if (!p.l4 || !sample__take(c))
    return 0;
  c->sampled++;
  __u64 now = bpf_ktime_get_ns();
  cur->head = (__u64)skb->head;
  cur->ts[0] = now;
  cur->ts[1] = 0;
  cur->ts[2] = 0;
  cur->ifindex = ifindex;
  /* Only packets a reader will copy later need the in-flight table; the other hops of this
   * packet run synchronously on this CPU and use `cur`. */
  if (!((p.key.proto == AN_IPPROTO_TCP && p.payload) || p.key.proto == AN_IPPROTO_UDP))
    return 0;
  cur->tracked = track__start(cur->skb, cur->head, now, &p.key, c);
  return 0;
}

/* Route lookups carry no skb: an input lookup from the device netif_receive_skb just timed on
 * this CPU, while that skb has no later hop yet, is its network-layer hop. */
static __always_inline void route__hop(__u32 iif) {
  struct an_cur *cur = cur__get(PS_AN_RX);
  if (!cur || !cur->ts[0] || cur->ts[1] || cur->ts[2] || iif != cur->ifindex)
    return;
  __u64 now = bpf_ktime_get_ns();
  if (now - cur->ts[0] > AN_ROUTE_HOP_MAX_NS)
    return;
  cur->ts[1] = now;
  hist__add(PS_PAIR_RX_LINK_NET, now - cur->ts[0]);
  if (cur->tracked) {
    struct ps_an_track *t = bpf_map_lookup_elem(&analyzer_inflight, &cur->skb);
    if (t && t->head == cur->head)
      t->ts[1] = now;
  }
}

SEC("tp_btf/fib_table_lookup")
int BPF_PROG(analyzer_fib_lookup, u32 tb_id, const struct flowi4 *flp, const struct fib_nh_common *nhc, int err) {
  route__hop((__u32)flp->__fl_common.flowic_iif);
  return 0;
}

SEC("tp_btf/fib6_table_lookup")
int BPF_PROG(analyzer_fib6_lookup, const struct net *net, const struct fib6_result *res, struct fib6_table *table,
             const struct flowi6 *flp) {
  route__hop((__u32)flp->__fl_common.flowic_iif);
  return 0;
}

/* TCP receive (established): the transport hop of a timed packet. Untimed packets cost a
 * compare; the flow's TCP state is taken at the socket calls (sock__account). */
SEC("tp_btf/tcp_probe")
int BPF_PROG(analyzer_tcp_probe, struct sock *sk, struct sk_buff *skb) {
  struct an_cur *cur = cur__get(PS_AN_RX);
  struct ps_an_track *t = NULL;
  __u64 now, ts0, ts1;
  if (cur && cur->skb == (__u64)skb && cur->head == (__u64)skb->head) {
    if (!cur->ts[0] || cur->ts[2])
      return 0; /* not timed (the common case when sampling): no map lookup */
    now = bpf_ktime_get_ns();
    ts0 = cur->ts[0];
    ts1 = cur->ts[1];
    cur->ts[2] = now;
    if (cur->tracked)
      t = bpf_map_lookup_elem(&analyzer_inflight, &cur->skb);
  } else { /* processed later from the socket backlog */
    __u64 key = (__u64)skb;
    t = bpf_map_lookup_elem(&analyzer_inflight, &key);
    if (!t || !t->ts[0] || t->head != (__u64)skb->head || t->ts[2])
      return 0;
    now = bpf_ktime_get_ns();
    if (now - t->ts[0] > AN_TRACK_MAX_AGE_NS)
      return 0;
    ts0 = t->ts[0];
    ts1 = t->ts[1];
  }
  if (t)
    t->ts[2] = now;
  hist__add(PS_PAIR_RX_LINK_L4, now - ts0);
  if (ts1)
    hist__add(PS_PAIR_RX_NET_L4, now - ts1);
  return 0;
}

/* The application reads the packet: its socket hop and the end of its timing. */
SEC("tp_btf/skb_copy_datagram_iovec")
int BPF_PROG(analyzer_copy_to_user, struct sk_buff *skb, int len) {
  __u64 key = (__u64)skb;
  struct ps_an_track *t = bpf_map_lookup_elem(&analyzer_inflight, &key);
  if (!t || !t->ts[0])
    return 0;
  struct ps_an_counters *c = counters();
  if (!c)
    return 0;
  __u64 now = bpf_ktime_get_ns();
  __u64 d = now - t->ts[0];
  if (t->head == (__u64)skb->head && d <= AN_TRACK_MAX_AGE_NS) {
    hist__add(PS_PAIR_RX_LINK_SOCK, d);
    if (t->ts[1])
      hist__add(PS_PAIR_RX_NET_SOCK, now - t->ts[1]);
    if (t->ts[2])
      hist__add(PS_PAIR_RX_L4_SOCK, now - t->ts[2]);
    struct ps_an_flow *f = flow__get(&t->key, c);
    if (f) {
      f->lat_sum_ns += d;
      f->lat_count++;
      if (d > f->lat_max_ns)
        f->lat_max_ns = d;
    }
  }
  track__end(t, c);
  return 0;
}

/* ---- transmit ----------------------------------------------------------------------------- */

SEC("tp_btf/net_dev_queue")
int BPF_PROG(analyzer_net_dev_queue, struct sk_buff *skb) {
  struct net_device *dev = skb->dev;
  __u32 netns = dev__netns(dev);
  if (netns__skip(netns))
    return 0;
  struct ps_an_counters *c = counters();
  struct an_cur *cur = cur__get(PS_AN_TX);
  if (!c || !cur)
    return 0;
  struct an_pkt p = {};
  link__account(skb, c, PS_AN_TX, dev ? dev->ifindex : 0, netns, &p);
  cur->skb = (__u64)skb;
  cur->ts[0] = 0;
  cur->tracked = 0;
  if (!sample__take(c))
    return 0;
  c->sampled++;
  __u64 now = bpf_ktime_get_ns();
  cur->head = (__u64)skb->head;
  cur->ts[0] = now;
  /* TCP stamps each skb with its departure time (EDT, CLOCK_MONOTONIC) when it transmits it;
   * a stamp in the future is pacing, not a delay. */
  if (p.key.proto == AN_IPPROTO_TCP && skb->sk &&
      BPF_CORE_READ_BITFIELD(skb, tstamp_type) == AN_SKB_CLOCK_MONOTONIC) {
    __u64 edt = skb->tstamp;
    if (edt && edt <= now)
      hist__add(PS_PAIR_TX_L4_LINK, now - edt);
  }
  return 0;
}

/* A timed packet a qdisc holds back: its transmit may come later or on another CPU. */
SEC("tp_btf/qdisc_enqueue")
int BPF_PROG(analyzer_qdisc_enqueue, struct Qdisc *q, const struct netdev_queue *txq, struct sk_buff *skb) {
  struct an_cur *cur = cur__get(PS_AN_TX);
  if (!cur || cur->skb != (__u64)skb || !cur->ts[0] || cur->tracked)
    return 0;
  struct ps_an_counters *c = counters();
  if (!c)
    return 0;
  cur->tracked = track__start(cur->skb, cur->head, cur->ts[0], NULL, c);
  return 0;
}

SEC("tp_btf/net_dev_xmit")
int BPF_PROG(analyzer_net_dev_xmit, struct sk_buff *skb, int rc, struct net_device *dev, unsigned int skb_len) {
  if (rc != 0) /* NETDEV_TX_BUSY and errors: the packet is retried or freed elsewhere */
    return 0;
  struct an_cur *cur = cur__get(PS_AN_TX);
  if (!cur)
    return 0;
  if (cur->skb == (__u64)skb && !cur->tracked) {
    if (cur->ts[0])
      hist__add(PS_PAIR_TX_LINK_LINK, bpf_ktime_get_ns() - cur->ts[0]);
    cur->ts[0] = 0;
    return 0;
  }
  __u64 key = (__u64)skb;
  struct ps_an_track *t = bpf_map_lookup_elem(&analyzer_inflight, &key);
  if (!t || !t->ts[0])
    return 0;
  if (t->head == (__u64)skb->head)
    hist__add(PS_PAIR_TX_LINK_LINK, bpf_ktime_get_ns() - t->ts[0]);
  if (cur->skb == key)
    cur->ts[0] = 0;
  track__end(t, counters());
  return 0;
}
