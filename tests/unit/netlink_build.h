/* Builds sock_diag replies in tests the way the kernel lays them out (aligned nlmsghdr +
 * inet_diag_msg + attributes), shared by test_netlink_parser and test_replay. Include after
 * cmocka.h. */
#ifndef CW_TEST_NETLINK_BUILD_H
#define CW_TEST_NETLINK_BUILD_H

#include "states.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdint.h>
#include <string.h>

/* Builds replies the way the kernel lays them out: aligned nlmsghdr + inet_diag_msg. */
struct reply {
	char buf[4096] __attribute__((aligned(8)));
	size_t len;
};

static inline void add_sock(struct reply *r, int family, const char *src, uint16_t sport,
                            const char *dst, uint16_t dport, int state, uint32_t rq, uint32_t wq,
                            uint16_t flags)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(r->buf + r->len);
	memset(h, 0, NLMSG_SPACE(sizeof(struct inet_diag_msg)));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_msg));
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h->nlmsg_flags = NLM_F_MULTI | flags;
	struct inet_diag_msg *m = NLMSG_DATA(h);
	m->idiag_family = (uint8_t)family;
	m->idiag_state = (uint8_t)state;
	inet_pton(family, src, m->id.idiag_src);
	inet_pton(family, dst, m->id.idiag_dst);
	m->id.idiag_sport = htons(sport);
	m->id.idiag_dport = htons(dport);
	m->idiag_rqueue = rq;
	m->idiag_wqueue = wq;
	m->idiag_inode = 4242;
	m->idiag_uid = 1000;
	r->len += NLMSG_SPACE(sizeof(struct inet_diag_msg));
}

/* Appends one attribute to the last message of r, as the kernel appends them after
 * inet_diag_msg; nla_len_override != 0 writes a lying length. */
static inline void add_attr(struct reply *r, uint16_t type, const void *data, uint16_t len,
                            uint16_t nla_len_override)
{
	struct nlmsghdr *h = NULL; /* the last message */
	for (struct nlmsghdr *p = (struct nlmsghdr *)r->buf; (char *)p < r->buf + r->len;
	     p = (struct nlmsghdr *)((char *)p + NLMSG_ALIGN(p->nlmsg_len)))
		h = p;
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
	a->nla_type = type;
	a->nla_len = nla_len_override ? nla_len_override : (uint16_t)NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	size_t added = NLA_ALIGN(NLA_HDRLEN + len);
	memset((char *)a + NLA_HDRLEN + len, 0, added - NLA_HDRLEN - len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + (uint32_t)added;
	r->len = (size_t)((char *)h - r->buf) + NLMSG_ALIGN(h->nlmsg_len);
}

static inline void add_done(struct reply *r)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(r->buf + r->len);
	memset(h, 0, NLMSG_SPACE(sizeof(int)));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(int));
	h->nlmsg_type = NLMSG_DONE;
	h->nlmsg_flags = NLM_F_MULTI;
	r->len += NLMSG_SPACE(sizeof(int));
}

/* Gives every message of r these ids (a reply to request seq on socket portid). */
static inline void reply_set_ids(struct reply *r, uint32_t seq, uint32_t portid)
{
	for (struct nlmsghdr *p = (struct nlmsghdr *)r->buf; (char *)p < r->buf + r->len;
	     p = (struct nlmsghdr *)((char *)p + NLMSG_ALIGN(p->nlmsg_len))) {
		p->nlmsg_seq = seq;
		p->nlmsg_pid = portid;
	}
}

/* NLMSG_DONE carrying code (0, or the negative errno that ended the dump). */
static inline void add_done_code(struct reply *r, int code, uint16_t flags)
{
	add_done(r);
	struct nlmsghdr *h = (struct nlmsghdr *)(r->buf + r->len - NLMSG_SPACE(sizeof(int)));
	h->nlmsg_flags |= flags;
	memcpy(NLMSG_DATA(h), &code, sizeof(code));
}

#endif
