/* The analyzer's drop, TCP-event and socket-layer programs. Included by analyzer_hooks.bpf.h;
 * not a stand-alone header. These may run in process context as well as in softirq, so the
 * counters they share with other programs are added atomically. */
#pragma once

/* ---- drops -------------------------------------------------------------------------------- */

/* The flow a dropped skb belongs to, from its network header: a received skb (skb_iif set by
 * the receive path) is seen from its destination, a locally sent one from its source. */
static __always_inline void drop__flow(struct sk_buff *skb, __u32 netns, struct ps_an_counters *c) {
  __u32 nh = skb->network_header;
  __u32 tail = skb->tail;
  if (nh == 0xffff || nh >= tail)
    return;
  struct an_pkt p = {};
  __u32 data_off = (__u32)(skb->data - skb->head);
  __u32 len = skb->len + data_off - nh; /* from the network header on */
  pkt__parse(skb->head, nh, tail, bpf_ntohs(skb->protocol), len, skb->skb_iif != 0, &p);
  if (!p.l3)
    return;
  p.key.netns = netns;
  struct ps_an_flow *f = flow__get(&p.key, c);
  if (f)
    __sync_fetch_and_add(&f->drops, 1);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(analyzer_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason) {
  /* Probe reads, not plain loads: once a packet is queued to a socket, skb->dev holds
   * dev_scratch (UDP), and a plain load through it faults — ~10 us per dropped packet. */
  struct net_device *dev = BPF_CORE_READ(skb, dev);
  struct sock *sk = skb->sk;
  __u32 netns = dev ? BPF_CORE_READ(dev, nd_net.net, ns.inum) : sk__netns(sk);
  if (netns__skip(netns))
    return 0;
  struct ps_an_counters *c = counters();
  if (!c)
    return 0;
  __sync_fetch_and_add(&c->drops, 1);
  __u32 slot = (__u32)reason < PS_AN_REASON_OTHER ? (__u32)reason : PS_AN_REASON_OTHER;
  __u64 *n = bpf_map_lookup_elem(&analyzer_drops, &slot);
  if (n)
    __sync_fetch_and_add(n, 1);
  struct ps_an_iface *ifv = iface__get(dev ? BPF_CORE_READ(dev, ifindex) : 0, netns, c);
  if (ifv)
    __sync_fetch_and_add(&ifv->drops, 1);
  drop__flow(skb, netns, c);
  __u64 key = (__u64)skb;
  struct ps_an_track *t = bpf_map_lookup_elem(&analyzer_inflight, &key);
  if (t && t->ts[0])
    track__end(t, c);
  return 0;
}

/* ---- TCP events --------------------------------------------------------------------------- */

enum an_tcp_event { AN_TCP_RETRANS, AN_TCP_RST_SENT, AN_TCP_RST_RECEIVED };

static __always_inline void tcp__flow_event(const struct sock *sk, struct ps_an_counters *c, enum an_tcp_event ev) {
  struct ps_an_flow_key k;
  if (!sk__flow_key(sk, &k))
    return;
  struct ps_an_flow *f = flow__get(&k, c);
  if (!f)
    return;
  if (ev == AN_TCP_RETRANS)
    __sync_fetch_and_add(&f->retransmits, 1);
  else if (ev == AN_TCP_RST_SENT)
    __sync_fetch_and_add(&f->rst_sent, 1);
  else
    __sync_fetch_and_add(&f->rst_received, 1);
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(analyzer_tcp_retransmit, const struct sock *sk, const struct sk_buff *skb, int err) {
  if (err || netns__skip(sk__netns(sk)))
    return 0;
  struct ps_an_counters *c = counters();
  if (!c)
    return 0;
  __sync_fetch_and_add(&c->tcp_retransmits, 1);
  tcp__flow_event(sk, c, AN_TCP_RETRANS);
  return 0;
}

/* sk is NULL for a reset answering a packet no socket wanted; then the flow is that packet's. */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(analyzer_tcp_send_reset, const struct sock *sk, const struct sk_buff *skb, int reason) {
  __u32 netns = sk ? sk__netns(sk) : (skb ? dev__netns(skb->dev) : 0);
  if (netns__skip(netns))
    return 0;
  struct ps_an_counters *c = counters();
  if (!c)
    return 0;
  __sync_fetch_and_add(&c->tcp_rst_sent, 1);
  if (sk) {
    tcp__flow_event(sk, c, AN_TCP_RST_SENT);
  } else if (skb) {
    struct an_pkt p = {};
    __u32 nh = skb->network_header;
    __u32 data_off = (__u32)(skb->data - skb->head);
    pkt__parse(skb->head, nh, skb->tail, bpf_ntohs(skb->protocol), skb->len + data_off - nh, true, &p);
    if (!p.l3)
      return 0;
    p.key.netns = netns;
    struct ps_an_flow *f = flow__get(&p.key, c);
    if (f)
      __sync_fetch_and_add(&f->rst_sent, 1);
  }
  return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(analyzer_tcp_receive_reset, struct sock *sk) {
  if (netns__skip(sk__netns(sk)))
    return 0;
  struct ps_an_counters *c = counters();
  if (!c)
    return 0;
  __sync_fetch_and_add(&c->tcp_rst_received, 1);
  tcp__flow_event(sk, c, AN_TCP_RST_RECEIVED);
  return 0;
}

SEC("tp_btf/tcp_bad_csum")
int BPF_PROG(analyzer_tcp_bad_csum, const struct sk_buff *skb) {
  if (netns__skip(dev__netns(skb->dev)))
    return 0;
  struct ps_an_counters *c = counters();
  if (c)
    __sync_fetch_and_add(&c->tcp_bad_csum, 1);
  return 0;
}

/* ---- socket layer ------------------------------------------------------------------------- */

/* Bytes handed between an application and an IPv4/IPv6 socket (other families are not part of
 * the network stack's layers). Runs in process context: who owns the flow. */
static __always_inline void sock__account(struct sock *sk, int ret, __u32 dir) {
  __u16 fam = sk->__sk_common.skc_family;
  if (ret <= 0 || (fam != AN_AF_INET && fam != AN_AF_INET6))
    return;
  if (netns__skip(sk__netns(sk)))
    return;
  struct ps_an_counters *c = counters();
  if (!c)
    return;
  c->layer[PS_LAYER_SOCKET][dir].packets++;
  c->layer[PS_LAYER_SOCKET][dir].bytes += ret;
  struct ps_an_flow_key k;
  if (!sk__flow_key(sk, &k))
    return;
  struct ps_an_flow *f = flow__get(&k, c);
  if (!f)
    return;
  struct ps_an_volume *v = dir == PS_AN_RX ? &f->sock_rx : &f->sock_tx;
  v->packets++;
  v->bytes += ret;
  __u32 pid = bpf_get_current_pid_tgid() >> 32;
  if (f->pid != pid) {
    f->pid = pid;
    bpf_get_current_comm(f->comm, sizeof(f->comm));
  }
  if (!f->cookie)
    f->cookie = bpf_get_socket_cookie(sk);
  if (k.proto == AN_IPPROTO_TCP) { /* the connection's state as the application sees it */
    struct tcp_sock *tp = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct tcp_sock));
    f->srtt_us = tp->srtt_us >> 3; /* stored << 3 */
    f->cwnd = tp->snd_cwnd;
    f->ooo_packets = tp->rcv_ooopack;
    f->sacked_out = tp->sacked_out;
    f->probe_jiffies = bpf_jiffies64(); /* only orders the CPUs' copies: a tick is enough */
  }
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(analyzer_sock_recv, struct sock *sk, int ret, int flags) {
  if (!(flags & AN_MSG_PEEK)) /* peeked bytes are read again later */
    sock__account(sk, ret, PS_AN_RX);
  return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(analyzer_sock_send, struct sock *sk, int ret, int flags) {
  sock__account(sk, ret, PS_AN_TX);
  return 0;
}
