/* What the BPF socket iterator (tcp_iter.bpf.c) and its loader (source_bpf.c) share: the record
 * it writes for a socket, and the tables it fills for the sockets it only counts.
 *
 * Included by the BPF program (after vmlinux.h) and by user space (after <linux/types.h>): only
 * __u8..__u64 types here. */
#ifndef CW_BPF_TCP_ITER_H
#define CW_BPF_TCP_ITER_H

/* One socket as the kernel's sock_diag would describe it (inet_diag_msg without extensions).
 * 64 bytes; the iterator writes them back to back into the read() buffer. */
struct cw_bpf_rec {
	__u8 local_addr[16]; /* network order; IPv4 in the first 4 bytes */
	__u8 remote_addr[16];
	__u16 local_port; /* host order */
	__u16 remote_port;
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 state;  /* as sock_diag reports it: TIME_WAIT sockets their substate, request
	              * sockets SYN_RECV */
	__u8 timer;  /* 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero window probe */
	__u8 retrans;
	__u32 recv_q;   /* listeners: accept queue length */
	__u32 send_q;   /* listeners: the accept queue limit (sock_diag's wqueue) */
	__u32 uid;      /* 0 for TIME_WAIT and request sockets, as sock_diag */
	__u32 inode;    /* 0 for TIME_WAIT and request sockets */
	__u32 timer_ms; /* until the timer fires */
	__u32 idle_ms;  /* CW_BPF_NO_IDLE unless asked: since the last ACK (CLOSE_WAIT) or the last
	                 * data received (other states), as tcp_info says */
};

#define CW_BPF_NO_IDLE 0xffffffffu

/* Sockets the program only counts: those the diagnosis reads through nothing but their state,
 * family, ports and remote address (ordinary connections, TIME_WAIT, request sockets). Their
 * remote addresses go to open-addressing tables (a fixed number of probes); when a socket finds
 * no slot it is written as a record instead, so the counts stay exact whatever the tables hold.
 */
#define CW_BPF_V4_SLOTS 65536 /* power of two */
#define CW_BPF_V6_SLOTS 8192  /* power of two */
#define CW_BPF_EP_SLOTS 65536 /* power of two */
#define CW_BPF_PROBES   8
#define CW_BPF_FAMILIES 2  /* 0 = IPv4, 1 = IPv6 */
#define CW_BPF_STATES   16 /* TCP state numbers */
#define CW_BPF_PORTS    65536

struct cw_bpf_v4_slot {
	__u32 addr; /* network order; 0 = empty (0.0.0.0 is never counted as a peer) */
	__u32 count;
};

struct cw_bpf_v6_slot {
	__u64 addr[2]; /* the 16 bytes in network order; all zero = empty */
	__u32 count;
	__u32 pad;
};

/* What an endpoint slot counts. */
enum cw_bpf_ep_kind {
	CW_BPF_EP_TIME_WAIT = 1, /* TIME_WAIT per remote endpoint: addr, port = remote port; aux =
	                          * of them from an ephemeral local port to a non-ephemeral remote
	                          * port (this host was the client) */
	CW_BPF_EP_SYN_RECV = 2,  /* request sockets per local port and source: port = local port,
	                          * addr = remote address */
};

/* An endpoint slot: count 0 = empty. IPv4 and IPv4-mapped IPv6 addresses are stored as IPv4
 * (family AF_INET, the address in the first 4 bytes), as the statistics key them. Slots in use
 * are listed in ep_used[0..ep_count) so that user space reads only those. */
struct cw_bpf_ep_slot {
	__u64 addr[2];
	__u16 port;
	__u8 kind;
	__u8 family;
	__u32 count;
	__u32 aux;
	__u32 pad;
};

/* Set by user space before each run (the .data section is mapped into the process). */
struct cw_bpf_config {
	__u32 states;       /* bit per sock_diag state: which sockets to report at all */
	__u32 families;     /* bit 0 IPv4, bit 1 IPv6 */
	__u32 emit_all;     /* 1: a record for every socket (views that show rows) */
	__u32 idle;         /* bit 0: idle_ms for CLOSE_WAIT; bit 1: for every state */
	__u32 recv_q_bytes; /* ESTABLISHED at or above: written as a record (queue rules) */
	__u32 send_q_bytes;
	__u16 ephemeral_low; /* net.ipv4.ip_local_port_range, for CW_BPF_EP_TIME_WAIT's aux */
	__u16 ephemeral_high;
};

#endif
