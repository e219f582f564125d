/* Shared by the BPF task-file iterator (task_sockets.bpf.c) and its reader (owners_bpf.c). */
#ifndef CW_BPF_TASK_SOCKETS_H
#define CW_BPF_TASK_SOCKETS_H

/* One open socket file of a process: what a readlink of /proc/PID/fd/N = "socket:[INODE]" gives,
 * without a system call per descriptor. */
struct cw_bpf_owner {
	__u32 pid; /* the process (thread group) id, in the initial pid namespace */
	__u32 inode;
};

#endif
