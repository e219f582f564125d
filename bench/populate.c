/*
 * bench/populate: holds many real loopback TCP connections for the benchmarks.
 *
 *   populate [-n ESTABLISHED] [-w TIME_WAIT] [-c CLOSE_WAIT] [-6 PERCENT] [-t SECONDS]
 *            [-f FDS_PER_CHILD]
 *
 * Opens ESTABLISHED connections (two sockets each, both held), CLOSE_WAIT connections (the
 * client half-closes with shutdown(SHUT_WR), so the server end stays in CLOSE_WAIT and the
 * client end in FIN_WAIT2 for as long as they are held) and TIME_WAIT sockets (the accepted end
 * closes first; these need no fd and disappear after the kernel's fixed 60 s). Then prints one line
 * "READY ..." with the counts and holds everything until SIGTERM/SIGINT or -t seconds pass.
 *
 * The fd limit is 20,000 per process and cannot be raised, so the work is split over child
 * processes that each hold at most -f fds. Children die with the parent (PR_SET_PDEATHSIG).
 * Held sockets have SO_LINGER {1, 0}: when they are closed (the holder ends or is killed) they
 * reset instead of leaving another 100,000 TIME_WAIT sockets behind.
 *
 * Addresses: only loopback. Clients bind to 127.1.0.1 .. 127.1.0.16 with explicit distinct ports
 * (no ephemeral port search, no collision with TIME_WAIT sockets); child k listens on
 * 127.2.0.(k+1):8000 and, for the IPv6 share, on [::1]:(8000+k). Meant to run inside a private
 * network namespace (unshare -n) so nothing else on the machine sees the load.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS   2000000L /* bound on -n, -w and -c each */
#define MAX_HOLD_SECONDS  3600
#define MAX_CHILDREN      256
#define CLIENT_ADDRS      16
#define CLIENT_PORT_FIRST 10000
#define CLIENT_PORTS      50000
#define SERVER_PORT       8000
#define BATCH             512 /* connects before the accepts: below somaxconn (4096) */
#define FD_RESERVE        64

struct plan {
	long established, time_wait, close_wait;
	int v6_percent;
	int hold_seconds;
	long fds_per_child;
};

/* One child's share: global connection numbers [first, first + count) of each kind. */
struct share {
	int index;
	long est_first, est_count;
	long cw_first, cw_count;
	long tw_first, tw_count;
};

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "populate: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static long parse_count(const char *opt, const char *s, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		die("%s: '%s' is not a number from 0 to %ld", opt, s, max);
	return v;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: populate [-n ESTABLISHED] [-w TIME_WAIT] [-c CLOSE_WAIT] [-6 PERCENT]\n"
	        "                [-t SECONDS] [-f FDS_PER_CHILD]\n"
	        "  -n  established loopback connections (2 sockets each)    default 10000\n"
	        "  -w  TIME_WAIT sockets (live 60 s after READY)              default 30%% of -n\n"
	        "  -c  CLOSE_WAIT connections (+ their FIN_WAIT2 peer)        default 2.5%% of -n\n"
	        "  -6  percent of the connections over ::1 instead of 127.x   default 0\n"
	        "  -t  hold at most this many seconds, then clean up          default 600\n"
	        "  -f  fds held per child process (hard limit is 20000)       default 18000\n"
	        "Prints 'READY ...' once everything is in place; SIGTERM/SIGINT cleans up.\n"
	        "Run it inside a private network namespace: unshare -n (with lo up).\n");
}

/* Connection number g decides its addresses, so every client endpoint is unique. */
static bool is_v6(const struct plan *p, long g)
{
	return (g % 100) < p->v6_percent;
}

static int make_listener(int family, int child)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(SERVER_PORT)};
		a.sin_addr.s_addr = htonl(0x7f020001u + (uint32_t)child);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			die("bind listener 127.2.0.%d: %s", child + 1, strerror(errno));
	} else {
		struct sockaddr_in6 a = {.sin6_family = AF_INET6,
		                         .sin6_port = htons((uint16_t)(SERVER_PORT + child))};
		a.sin6_addr = in6addr_loopback;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
		    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			die("bind listener [::1]:%d: %s", SERVER_PORT + child, strerror(errno));
	}
	if (listen(fd, BATCH * 2) < 0)
		die("listen: %s", strerror(errno));
	return fd;
}

static void set_abortive_close(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* Opens the client end of connection g towards child's listener (blocking: on loopback the
 * handshake completes inside connect). */
static int connect_client(const struct plan *p, long g, int child)
{
	bool v6 = is_v6(p, g);
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s (fd limit? lower -f)", strerror(errno));
	if (v6) {
		/* One IPv6 loopback address: let connect pick a port unique for the 4-tuple. */
		struct sockaddr_in6 a = {.sin6_family = AF_INET6,
		                         .sin6_port = htons((uint16_t)(SERVER_PORT + child))};
		a.sin6_addr = in6addr_loopback;
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			die("connect [::1]: %s", strerror(errno));
		return fd;
	}
	long slot = g / CLIENT_ADDRS;
	struct sockaddr_in src = {.sin_family = AF_INET};
	src.sin_addr.s_addr = htonl(0x7f010001u + (uint32_t)(g % CLIENT_ADDRS));
	src.sin_port = htons((uint16_t)(CLIENT_PORT_FIRST + slot));
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
		die("bind client 127.1.0.%ld:%ld: %s", g % CLIENT_ADDRS + 1,
		    CLIENT_PORT_FIRST + slot, strerror(errno));
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(SERVER_PORT)};
	dst.sin_addr.s_addr = htonl(0x7f020001u + (uint32_t)child);
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		die("connect 127.2.0.%d: %s", child + 1, strerror(errno));
	return fd;
}

enum kind { KIND_ESTABLISHED, KIND_CLOSE_WAIT, KIND_TIME_WAIT };

/* Makes count connections of one kind, BATCH at a time (connect all, then accept all). */
static void make_connections(const struct plan *p, int child, int lfd4, int lfd6, long first,
                             long count, enum kind kind)
{
	int clients[BATCH];
	for (long done = 0; done < count;) {
		int n = (int)(count - done < BATCH ? count - done : BATCH);
		int n6 = 0;
		for (int i = 0; i < n; i++) {
			clients[i] = connect_client(p, first + done + i, child);
			n6 += is_v6(p, first + done + i);
		}
		/* Accept order need not match connect order: every accepted end is handled alike.
		 */
		for (int i = 0; i < n; i++) {
			int lfd = i < n6 ? lfd6 : lfd4;
			int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (s < 0)
				die("accept: %s", strerror(errno));
			if (kind == KIND_TIME_WAIT) {
				close(s); /* the end that closes first keeps TIME_WAIT */
			} else {
				/* held until the holder ends; then reset, leaving nothing behind */
				set_abortive_close(s);
				set_abortive_close(clients[i]);
			}
		}
		for (int i = 0; i < n; i++) {
			if (kind == KIND_CLOSE_WAIT && shutdown(clients[i], SHUT_WR) < 0)
				die("shutdown: %s", strerror(errno));
		}
		if (kind == KIND_TIME_WAIT) {
			/* The accepted ends closed first above, so they hold TIME_WAIT; the clients
			 * answer the FIN, close and are gone. */
			for (int i = 0; i < n; i++) {
				/* Wait for the FIN first: closing before it arrives would be a
				 * simultaneous close and leave TIME_WAIT on both ends. */
				char b;
				while (recv(clients[i], &b, 1, 0) < 0 && errno == EINTR)
					;
				close(clients[i]);
			}
		}
		done += n;
	}
}

static void run_child(const struct plan *p, const struct share *s, int ready_fd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	int lfd4 = make_listener(AF_INET, s->index);
	int lfd6 = p->v6_percent ? make_listener(AF_INET6, s->index) : -1;
	make_connections(p, s->index, lfd4, lfd6, s->est_first, s->est_count, KIND_ESTABLISHED);
	make_connections(p, s->index, lfd4, lfd6, s->cw_first, s->cw_count, KIND_CLOSE_WAIT);
	make_connections(p, s->index, lfd4, lfd6, s->tw_first, s->tw_count, KIND_TIME_WAIT);
	/* No listeners left behind: the benchmarks list connections, not servers. */
	close(lfd4);
	if (lfd6 >= 0)
		close(lfd6);
	if (write(ready_fd, "R", 1) != 1)
		_exit(1);
	close(ready_fd);
	for (;;)
		pause(); /* the parent ends us with SIGTERM (or SIGKILL when it dies) */
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct plan p = {.established = 10000,
	                 .time_wait = -1,
	                 .close_wait = -1,
	                 .hold_seconds = 600,
	                 .fds_per_child = 18000};
	int opt;
	while ((opt = getopt(argc, argv, "n:w:c:6:t:f:h")) != -1) {
		switch (opt) {
		case 'n':
			p.established = parse_count("-n", optarg, MAX_CONNECTIONS);
			break;
		case 'w':
			p.time_wait = parse_count("-w", optarg, MAX_CONNECTIONS);
			break;
		case 'c':
			p.close_wait = parse_count("-c", optarg, MAX_CONNECTIONS);
			break;
		case '6':
			p.v6_percent = (int)parse_count("-6", optarg, 100);
			break;
		case 't':
			p.hold_seconds = (int)parse_count("-t", optarg, MAX_HOLD_SECONDS);
			break;
		case 'f':
			p.fds_per_child = parse_count("-f", optarg, 1000000);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (p.time_wait < 0)
		p.time_wait = p.established * 3 / 10;
	if (p.close_wait < 0)
		p.close_wait = p.established / 40;

	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		/* Use what the hard limit allows; keep room for stdio and listeners. */
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if ((rlim_t)(p.fds_per_child + FD_RESERVE) > rl.rlim_cur) {
			if (rl.rlim_cur <= 2 * FD_RESERVE)
				die("fd limit %lu is too small", (unsigned long)rl.rlim_cur);
			p.fds_per_child = (long)rl.rlim_cur - FD_RESERVE;
		}
	}
	if (p.fds_per_child < 2)
		die("-f must be at least 2");

	/* Held connections cost two fds each; TIME_WAIT ones none once made. */
	long held = p.established + p.close_wait;
	long per_child = p.fds_per_child / 2;
	int children = (int)((held + per_child - 1) / per_child);
	if (children < 1)
		children = 1;
	if (children > MAX_CHILDREN)
		die("%ld connections need more than %d children; raise -f", held, MAX_CHILDREN);
	long total = held + p.time_wait;
	long v4_total = total - total * p.v6_percent / 100;
	if (v4_total > (long)CLIENT_ADDRS * CLIENT_PORTS)
		die("%ld IPv4 connections exceed %d client addresses x %d ports", v4_total,
		    CLIENT_ADDRS, CLIENT_PORTS);

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid_t pids[MAX_CHILDREN];
	/* Global numbering: established first, then CLOSE_WAIT, then TIME_WAIT, split evenly. */
	long tw_per_child = (p.time_wait + children - 1) / children;
	long est_left = p.established, cw_left = p.close_wait, tw_left = p.time_wait;
	long est_next = 0, cw_next = p.established, tw_next = held;
	for (int k = 0; k < children; k++) {
		struct share s = {.index = k};
		s.est_first = est_next;
		s.est_count = est_left < per_child ? est_left : per_child;
		long room = per_child - s.est_count;
		s.cw_first = cw_next;
		s.cw_count = cw_left < room ? cw_left : room;
		s.tw_first = tw_next;
		s.tw_count = tw_left < tw_per_child ? tw_left : tw_per_child;
		est_next += s.est_count, est_left -= s.est_count;
		cw_next += s.cw_count, cw_left -= s.cw_count;
		tw_next += s.tw_count, tw_left -= s.tw_count;
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			close(ready[0]);
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			run_child(&p, &s, ready[1]);
		}
		pids[k] = pid;
	}
	close(ready[1]);

	/* Wait for every child's ready byte; a child that dies closes its end early. */
	int got = 0, status = 0;
	while (got < children && !stop) {
		char b;
		ssize_t n = read(ready[0], &b, 1);
		if (n == 1) {
			got++;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			fprintf(stderr, "populate: a child failed before it was ready\n");
			status = 1;
			break;
		}
	}
	close(ready[0]);
	if (got == children) {
		poll(NULL, 0, 100); /* let the last FIN/ACK exchanges settle */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("READY established=%ld close_wait=%ld time_wait=%ld ipv6_percent=%d "
		       "sockets=%ld children=%d setup_seconds=%.1f\n",
		       p.established, p.close_wait, p.time_wait, p.v6_percent,
		       2 * p.established + 2 * p.close_wait + p.time_wait, children, secs);
		fflush(stdout);
		/* Bounded: never hold longer than -t seconds. */
		time_t deadline = time(NULL) + p.hold_seconds;
		while (!stop && time(NULL) < deadline)
			poll(NULL, 0, 200);
	}
	for (int k = 0; k < children; k++)
		kill(pids[k], SIGTERM);
	for (int k = 0; k < children; k++) {
		int ws;
		while (waitpid(pids[k], &ws, 0) < 0 && errno == EINTR)
			;
	}
	return status;
}
