/*
 * judgebox-exec: the last step of a box's start-up, so that the memory figure is the
 * program's own peak resident set.
 *
 * The kernel keeps a process's peak RSS (what wait4 returns as ru_maxrss) in its signal
 * struct, and exec folds the peak of the memory the process had before into it. The box's
 * program process starts in the jail's memory (CLONE_VM, see child.rs), so an exec straight
 * from there would report the jail's few megabytes for any smaller program. This helper is
 * exec'd instead. It has almost no memory of its own and starts the program as a new
 * process (a new signal struct, peak 0) from that small memory, as a child of the box's
 * init (CLONE_PARENT), which reaps it with wait4 and reports its peak. Then it exits, and
 * the program execs only once init has reaped it: the helper is never one of the
 * processes the box's limits count for the program, nor one the program can signal.
 *
 * It runs as the program's uid, under the program's seccomp filter, limits and Landlock
 * domain, with no libc and no allocation: a few syscalls on its own stack. Init finds the
 * program as the helper's pid + 1: the first process made in the box's new pid namespace
 * after the helper itself, which the helper checks.
 *
 * argv: judgebox-exec REPORT_FD N PATH_1 .. PATH_N ARGV_0 ARGS...
 * The program is tried at each PATH in turn, with ARGV_0 ARGS... as its argv and this
 * process's environment. A failure is one 16-byte record on REPORT_FD (kind 1, stage,
 * detail, errno; child.rs has the same numbers) and exit code 127.
 */

#define RECORD_FAILURE 1
#define STAGE_FORK 5
#define STAGE_EXEC 12

#define ENOENT 2
#define EINTR 4
#define ECHILD 10
#define ESRCH 3
#define ENOTDIR 20
#define SIGCHLD 17
#define CLONE_PARENT 0x00008000
#define F_SETFD 2
#define FD_CLOEXEC 1
#define PR_SET_DUMPABLE 4

#if defined(__x86_64__)
#define NR_WRITE 1
#define NR_FCNTL 72
#define NR_CLONE 56
#define NR_EXECVE 59
#define NR_WAIT4 61
#define NR_PRCTL 157
#define NR_GETPID 39
#define NR_KILL 62
#define NR_NANOSLEEP 35
#define NR_EXIT_GROUP 231

static long sys6(long n, long a, long b, long c, long d, long e)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	xor %rbp, %rbp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call start\n"
	"	hlt\n");

#elif defined(__aarch64__)
#define NR_WRITE 64
#define NR_FCNTL 25
#define NR_CLONE 220
#define NR_EXECVE 221
#define NR_WAIT4 260
#define NR_PRCTL 167
#define NR_GETPID 172
#define NR_KILL 129
#define NR_NANOSLEEP 101
#define NR_EXIT_GROUP 94

static long sys6(long n, long a, long b, long c, long d, long e)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4)
			 : "memory");
	return x0;
}

__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, sp\n"
	"	bl start\n"
	"	brk #0\n");

#else
#error "judgebox-exec knows the syscalls of x86_64 and aarch64 only"
#endif

static __attribute__((noreturn)) void leave(int code)
{
	for (;;)
		sys6(NR_EXIT_GROUP, code, 0, 0, 0, 0);
}

static void record(int fd, unsigned kind, unsigned a, unsigned b, int c)
{
	unsigned r[4] = { kind, a, b, (unsigned)c };
	sys6(NR_WRITE, fd, (long)r, sizeof r, 0, 0);
}

static __attribute__((noreturn)) void fail(int fd, unsigned stage, unsigned detail, long err)
{
	record(fd, RECORD_FAILURE, stage, detail, (int)-err);
	leave(127);
}

static long number(const char *s)
{
	long n = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > 1000000)
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n;
}

__attribute__((noreturn, used)) void start(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	long fd = argc > 2 ? number(argv[1]) : -1;
	long paths = argc > 2 ? number(argv[2]) : -1;
	if (fd < 0 || paths < 1 || 3 + paths >= argc)
		leave(126);
	char **program = argv + 3 + paths;

	/* The program must not inherit the report pipe, nor reach it through /proc/PID/fd. */
	sys6(NR_FCNTL, fd, F_SETFD, FD_CLOEXEC, 0, 0);
	sys6(NR_PRCTL, PR_SET_DUMPABLE, 0, 0, 0, 0);

	long self = sys6(NR_GETPID, 0, 0, 0, 0, 0);
	long pid = sys6(NR_CLONE, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		fail(fd, STAGE_FORK, 2, pid);
	if (pid == 0) {
		/* Until init has reaped the helper (a zombie still counts against the box's
		 * process limits), for at most a second: 10 us at a time. */
		long tick[2] = { 0, 10000 };
		for (long i = 0; i < 100000 && sys6(NR_KILL, self, 0, 0, 0, 0) != -ESRCH; i++)
			sys6(NR_NANOSLEEP, (long)tick, 0, 0, 0, 0);
		long last = -ENOENT;
		for (long i = 0; i < paths; i++) {
			long err = sys6(NR_EXECVE, (long)argv[3 + i], (long)program, (long)envp, 0, 0);
			if (err != -ENOENT && err != -ENOTDIR)
				last = err;
		}
		fail(fd, STAGE_EXEC, 0, last);
	}
	/* Init waits for pid + 1; any other pid would leave the box waiting for nothing. */
	if (pid != self + 1)
		fail(fd, STAGE_FORK, 3, -ECHILD);
	leave(0);
}
