//! Hostile guests (guests/src/hostile.c and patched ELFs): no escape from a
//! mount, no host panic, no hang, host memory within `--memory-limit`,
//! memory syscalls and page permissions as Linux (qemu-user) has them.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use zkdbg_tests::{guest, qemu, shell_status, tempdir, zkdbg, zkdbg_bin, ARCHES};

/// Runs `zkdbg run hostile.elf` with `scenario` (plus some bytes left on
/// stdin) and extra arguments.
fn hostile(arch: &str, scenario: &str, extra: &[&str]) -> Output {
    hostile_sub("run", arch, scenario, extra)
}

/// [`hostile`] with another subcommand (`profile`, `trace`).
fn hostile_sub(sub: &str, arch: &str, scenario: &str, extra: &[&str]) -> Output {
    hostile_measured(sub, arch, scenario, extra).0
}

/// [`hostile_sub`], also returning the child's peak resident set size in
/// bytes (wait4(2)'s rusage of that child alone: tests run in parallel).
#[allow(clippy::zombie_processes)] // the child is reaped by wait4, not Child::wait
fn hostile_measured(sub: &str, arch: &str, scenario: &str, extra: &[&str]) -> (Output, u64) {
    use std::os::unix::process::ExitStatusExt;
    let input = write_stdin(arch, scenario);
    let dir = tempdir(&format!("out-{sub}-{arch}-{scenario}"));
    let (out_path, err_path) = (dir.join("stdout"), dir.join("stderr"));
    let child = Command::new(zkdbg_bin())
        .args([sub, guest(arch, "hostile").to_str().unwrap(), "--stdin"])
        .arg(&input)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 reaps our own child and writes one int and one struct
    // rusage.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut ru) };
    assert_eq!(pid, child.id() as i32);
    let out = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: std::fs::read(&err_path).unwrap(),
    };
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
    (out, ru.ru_maxrss as u64 * 1024)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn mount_symlinks_and_hard_links_cannot_reach_outside() {
    let root = tempdir("escape");
    let (mount, outside) = (root.join("mount"), root.join("outside"));
    std::fs::create_dir_all(mount.join("sub")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret"), "host secret").unwrap();
    std::fs::write(outside.join("victim"), "still here").unwrap();
    std::fs::write(mount.join("inside"), "fine").unwrap();
    std::os::unix::fs::symlink(&outside, mount.join("out")).unwrap();
    std::os::unix::fs::symlink("../../outside", mount.join("sub/up")).unwrap();
    for arch in ARCHES {
        for rw in [":rw", ""] {
            let m = format!("{}:/m{rw}", mount.display());
            let o = hostile(arch, "escape", &["--mount", &m]);
            let out = text(&o.stdout);
            assert_eq!(shell_status(&o), 0, "{out}{}", text(&o.stderr));
            for line in out
                .lines()
                .filter(|l| l.contains("/m/out") || l.contains("/up/"))
            {
                let r: i64 = line.rsplit(' ').next().unwrap().parse().unwrap();
                assert!(r < 0, "{arch}{rw}: {line}");
            }
            assert!(out.contains("open /m/inside: 3"), "{arch}{rw}: {out}");
            assert!(!outside.join("created").exists(), "{arch}{rw}");
            assert!(!outside.join("dir").exists(), "{arch}{rw}");
            assert_eq!(
                std::fs::read_to_string(outside.join("victim")).unwrap(),
                "still here"
            );
        }
    }
}

#[test]
fn file_syscalls_fail_cleanly_and_host_memory_stays_within_the_limit() {
    for arch in ARCHES {
        let o = hostile(arch, "files", &["--memory-limit", "16M"]);
        assert_eq!(shell_status(&o), 0, "{}", text(&o.stderr));
        assert_eq!(
            text(&o.stdout),
            "open: 3\nlseek 2^63-1: ok\nwrite at 2^63-1: -27\nlseek 1 TiB: ok\n\
             write at 1 TiB: 1\nmmap 16 MiB: -12\npwrite 2 GB: 0 MiB written, last 0\n\
             writev 1024 x 16 MiB: -14\n",
            "{arch}: EFBIG past the largest file, a sparse write at 1 TiB, ENOMEM for a \
             buffer over the limit"
        );
        let (o, rss) = hostile_measured("run", arch, "files", &["--memory-limit", "48M"]);
        assert_eq!(
            text(&o.stdout).lines().nth(6),
            Some("pwrite 2 GB: 16 MiB written, last -28"),
            "{arch}: ENOSPC once the in-memory file reaches the limit"
        );
        assert!(text(&o.stdout).contains("writev 1024 x 16 MiB: ok"));
        // 2.1 GB before the limit covered in-memory files; now the limit
        // plus one 16 MiB I/O buffer and the program itself.
        eprintln!(
            "{arch}: files with --memory-limit 48M: peak RSS {} MiB",
            rss >> 20
        );
        assert!(rss < 160 << 20, "{arch}: peak RSS {} MiB", rss >> 20);
    }
}

#[test]
fn memory_syscalls_are_bounded_and_checked_like_linux() {
    let rv64 = "brk(-1) keeps the break: 1\nbrk(0x7fff00000000) keeps the break: 1\n\
                mmap anonymous 2^46: -12\nmmap MAP_FIXED 2^62: -12\nmunmap 2^62: -22\n\
                munmap 2^32 at 2^40: 0\nmmap /dev/zero 8 GiB: -12\n";
    let common = "mmap(0, -1): -12\nmmap file, length wraps: -12\nmmap 1 GiB: -12\n\
                  mmap after it is outside the image: 1\nstill running\n";
    for arch in ARCHES {
        let o = hostile(arch, "memory", &["--memory-limit", "256M"]);
        let want = if arch == "rv64" {
            format!("{rv64}{common}")
        } else {
            format!("brk(-1) keeps the break: 1\n{common}")
        };
        assert_eq!(text(&o.stdout), want, "{arch}: {}", text(&o.stderr));
        // Linux agrees on everything but the mappings it can afford (it
        // overcommits) and the limit refuses.
        let q = in_qemu(arch, "memory");
        let comparable = |out: &str| -> Vec<String> {
            out.lines()
                .filter(|l| {
                    !["mmap 1 GiB", "mmap after", "mmap /dev/zero"]
                        .iter()
                        .any(|p| l.starts_with(p))
                })
                .map(String::from)
                .collect()
        };
        assert_eq!(
            comparable(&want),
            comparable(&text(&q.stdout)),
            "{arch}: zkdbg and qemu-user differ"
        );
    }
}

/// qemu-user running `hostile` on `scenario`.
fn in_qemu(arch: &str, scenario: &str) -> Output {
    Command::new(qemu(arch))
        .arg(guest(arch, "hostile"))
        .stdin(std::fs::File::open(write_stdin(arch, scenario)).unwrap())
        .output()
        .unwrap()
}

fn write_stdin(arch: &str, scenario: &str) -> std::path::PathBuf {
    let p = tempdir(&format!("stdin-{arch}-{scenario}")).join("stdin");
    std::fs::write(&p, format!("{scenario}\nmore bytes on stdin")).unwrap();
    p
}

#[test]
fn syscalls_cannot_write_code_or_rodata() {
    for arch in ARCHES {
        let o = hostile(arch, "efault", &[]);
        let want = "read into code: -14\ngetrandom into code: -14\nread into rodata: -14\n";
        assert_eq!(text(&o.stdout), want, "{arch}");
        assert_eq!(
            text(&in_qemu(arch, "efault").stdout),
            want,
            "{arch}: qemu-user"
        );
    }
}

#[test]
fn page_permissions_fault_as_linux_does() {
    let cases = [
        ("munmap-code", "instruction access fault", "address: 0x"),
        (
            "store-rodata",
            "store/AMO access fault",
            "page is r--: not writable",
        ),
        (
            "exec-stack",
            "instruction access fault",
            "page is rw-: not executable",
        ),
        ("stack-overflow", "store/AMO access fault", "not writable"),
    ];
    for arch in ARCHES {
        for (scenario, kind, detail) in cases {
            let o = hostile(arch, scenario, &[]);
            let err = text(&o.stderr);
            assert_eq!(shell_status(&o), 139, "{arch} {scenario}: {err}");
            assert!(
                err.contains(kind) && err.contains(detail),
                "{arch} {scenario}: {err}"
            );
            let q = in_qemu(arch, scenario);
            assert_eq!(
                shell_status(&q),
                139,
                "{arch} {scenario}: qemu-user SIGSEGV"
            );
            assert_eq!(text(&o.stdout), text(&q.stdout), "{arch} {scenario}");
        }
    }
}

/// `guests/bin/rv64/NAME.elf` patched by `f` (given the whole ELF and the
/// offset of its PT_LOAD program header `index`), written into `dir`.
fn patched(
    name: &str,
    index: usize,
    dir: &Path,
    f: impl Fn(&mut [u8], usize),
) -> std::path::PathBuf {
    let mut elf = std::fs::read(guest("rv64", name)).unwrap();
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let phnum = u16::from_le_bytes(elf[0x38..0x3a].try_into().unwrap()) as usize;
    let h = (0..phnum)
        .map(|i| phoff + 56 * i)
        .filter(|&h| elf[h..h + 4] == 1u32.to_le_bytes())
        .nth(index)
        .unwrap();
    f(&mut elf, h);
    let p = dir.join(format!("{name}-patched-{index}.elf"));
    std::fs::write(&p, elf).unwrap();
    p
}

#[test]
fn rwx_data_and_huge_executable_segments_run_correctly() {
    use std::sync::Arc;
    use zeroos::{OsConfig, ZeroOs};
    use zkdbg_emulator::{Config, Machine, Program, StopReason};
    let dir = tempdir("patched");
    // The data segment (index 2, holding the stack) marked RWX: stack
    // stores land in executable pages but never on executed code, so no
    // decoded instruction is reset (before: every store re-decoded).
    let rwx = patched("fib", 2, &dir, |elf, h| {
        elf[h + 4..h + 8].copy_from_slice(&7u32.to_le_bytes())
    });
    let program = Arc::new(Program::parse(&std::fs::read(&rwx).unwrap()).unwrap());
    let mut m = Machine::new(program.clone(), Config::default()).unwrap();
    let mut os = ZeroOs::new(&program, OsConfig::default());
    let generation = m.mem.code_generation();
    assert_eq!(m.run(&mut os, &mut (), u64::MAX), StopReason::Exited(0));
    assert_eq!(os.stdout(), b"fib(20) = 6765\n");
    assert_eq!(
        m.mem.code_generation(),
        generation,
        "no decoded code was reset"
    );
    // The same segment RWX with a 900 MB memsz: the code tables would not
    // fit the limit, so the code runs undecoded from memory, correctly.
    let huge = patched("fib", 2, &dir, |elf, h| {
        elf[h + 4..h + 8].copy_from_slice(&7u32.to_le_bytes());
        elf[h + 0x28..h + 0x30].copy_from_slice(&(900u64 << 20).to_le_bytes());
    });
    let huge = huge.to_str().unwrap();
    let o = zkdbg(&["run", huge, "--memory-limit", "1G"]);
    assert_eq!(shell_status(&o), 0, "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "fib(20) = 6765\n");
    // Over the limit: a clear load error.
    usage_error(
        &zkdbg(&["run", huge, "--memory-limit", "512M"]),
        "memory limit",
    );
}

/// A usage or load error (exit 2) whose message says `what`.
fn usage_error(o: &Output, what: &str) {
    let err = text(&o.stderr);
    assert_eq!(shell_status(o), 2, "{err}");
    assert!(err.contains(what) && !err.contains("panicked"), "{err}");
}

#[test]
fn huge_syscall_cycles_are_refused() {
    let fib = guest("rv64", "fib");
    let o = zkdbg(&[
        "run",
        fib.to_str().unwrap(),
        "--syscall-cycles",
        "18446744073709551615",
    ]);
    usage_error(&o, "--syscall-cycles");
}

#[test]
fn profiles_stay_small_however_deep_the_guest_calls() {
    let dir = tempdir("deep-profile");
    for arch in ARCHES {
        // A two-instruction call loop: every other instruction is a call
        // (2.1 GB and 22 s for 20,000 cycles before the depth cap).
        let json = dir.join(format!("loop-{arch}.json"));
        let o = hostile(arch, "call-loop", &["--max-cycles", "200000"]);
        assert_eq!(shell_status(&o), 152, "{}", text(&o.stderr));
        let o = hostile_sub(
            "profile",
            arch,
            "call-loop",
            &["--max-cycles", "200000", "--json", json.to_str().unwrap()],
        );
        assert_eq!(shell_status(&o), 152, "{}", text(&o.stderr));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert!(
            v["stack"]["max_depth"].as_u64().unwrap() > 90_000,
            "{}",
            v["stack"]
        );
        let truncated = v["stack"]["truncated_cycles"].as_u64().unwrap();
        assert!(truncated > 150_000 && truncated < 200_000, "{}", v["stack"]);
        // Recursion 30,000 deep: every folded stack is at most the cap.
        let folded = dir.join(format!("recurse-{arch}.folded"));
        let o = hostile_sub(
            "profile",
            arch,
            "recurse",
            &["--folded", folded.to_str().unwrap()],
        );
        assert_eq!(
            text(&o.stdout),
            "recursed 30000 deep\n",
            "{}",
            text(&o.stderr)
        );
        let folded = std::fs::read_to_string(&folded).unwrap();
        let deepest = folded.lines().map(|l| l.split(';').count()).max().unwrap();
        assert_eq!(
            deepest,
            zkdbg_profiler::profile::MAX_DEPTH as usize,
            "{arch}"
        );
        assert!(folded.contains("[truncated frames] "));
        let total: u64 = folded
            .lines()
            .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
            .sum();
        assert!(total > 30_000 * 5, "every cycle is still charged: {total}");
    }
}

#[test]
fn traces_stream_in_constant_memory() {
    let trace = tempdir("stream").join("trace.jsonl");
    let (o, rss) = hostile_measured(
        "trace",
        "rv64",
        "many-syscalls",
        &["--format", "jsonl", "-o", trace.to_str().unwrap()],
    );
    assert_eq!(shell_status(&o), 0, "{}", text(&o.stderr));
    let lines = std::fs::read_to_string(&trace).unwrap();
    let getppid = lines.lines().filter(|l| l.contains("\"getppid\"")).count();
    assert_eq!(getppid, 1_000_000);
    std::fs::remove_file(&trace).unwrap();
    // 1.36 GB for 4 million records when they were held until the end.
    eprintln!("trace of 1,000,000 syscalls: peak RSS {} MiB", rss >> 20);
    assert!(rss < 64 << 20, "peak RSS {} MiB", rss >> 20);
}

#[test]
fn a_fault_on_the_first_instruction_is_profiled_and_traced() {
    let dir = tempdir("first-fault");
    // The first instruction of the text segment (the entry point) becomes
    // 0x0000 (illegal).
    let elf = patched("fib", 0, &dir, |elf, h| {
        let off = u64::from_le_bytes(elf[h + 8..h + 16].try_into().unwrap()) as usize;
        elf[off..off + 4].fill(0);
    });
    for sub in ["profile", "trace", "run"] {
        let out = dir.join(format!("out-{sub}"));
        let mut c = Command::new(zkdbg_bin());
        c.arg(sub).arg(&elf);
        if sub != "run" {
            c.arg("-o").arg(&out);
        }
        let o = c.output().unwrap();
        let err = text(&o.stderr);
        assert_eq!(shell_status(&o), 132, "{sub}: {err}");
        assert!(
            err.contains("illegal instruction") && !err.contains("error"),
            "{sub}: {err}"
        );
    }
}
