//! `zkdbg gdb` driven by the real GDB (Debian's gdb-multiarch, batch mode)
//! and LLDB.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zkdbg_tests::*;

/// A running `zkdbg gdb` on a free loopback port.
struct Stub {
    child: Child,
    addr: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Stub {
    fn start(elf: &Path, extra: &[&str]) -> Stub {
        let mut child = Command::new(zkdbg_bin())
            .arg("gdb")
            .arg(elf)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start zkdbg gdb");
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut addr = None;
        let mut line = String::new();
        while err.read_line(&mut line).unwrap() > 0 {
            if let Some(i) = line.find("listening on ") {
                addr = Some(line[i + 13..].trim().to_string());
                break;
            }
            line.clear();
        }
        let addr = addr.unwrap_or_else(|| panic!("stub did not start: {line}"));
        let stderr = Arc::new(Mutex::new(String::new()));
        let e2 = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = String::new();
            while err.read_line(&mut buf).unwrap_or(0) > 0 {
                e2.lock().unwrap().push_str(&buf);
                buf.clear();
            }
        });
        let stdout = Arc::new(Mutex::new(String::new()));
        let out = child.stdout.take().unwrap();
        let s2 = stdout.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(out);
            let mut buf = String::new();
            while r.read_line(&mut buf).unwrap_or(0) > 0 {
                s2.lock().unwrap().push_str(&buf);
                buf.clear();
            }
        });
        Stub {
            child,
            addr,
            stdout,
            stderr,
        }
    }

    /// Runs gdb-multiarch in batch mode with `cmds` after `target remote`;
    /// `elf` is loaded with `file` first unless None.
    fn gdb(&self, elf: Option<&Path>, cmds: &[&str]) -> String {
        let mut c = Command::new("gdb-multiarch");
        c.args(["-q", "-batch", "-nx"]);
        if let Some(e) = elf {
            c.arg(e);
        }
        c.args(["-ex", &format!("target remote {}", self.addr)]);
        for x in cmds {
            c.args(["-ex", x]);
        }
        // From the repository root, where the guests' DWARF paths resolve.
        let o = c.current_dir(repo()).stdin(Stdio::null()).output().expect(
            "gdb-multiarch not found: install Debian's gdb-multiarch (scripts/test.sh does)",
        );
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn has(out: &str, needle: &str) {
    assert!(out.contains(needle), "expected `{needle}` in:\n{out}");
}

#[test]
fn source_level_debugging_on_both_arches() {
    for arch in ARCHES {
        let elf = guest(arch, "debuggee");
        let stub = Stub::start(&elf, &["--once"]);
        let out = stub.gdb(
            Some(&elf),
            &[
                "break main",
                "continue",
                "next",
                "step",
                "bt",
                "break square",
                "continue",
                "finish",
                "p counter",
                "p total",
                "p n",
                "x/8xw &squares",
                "set var counter = 100",
                "p counter",
                "delete",
                "watch counter",
                "continue",
                "delete",
                "until",
                "info registers",
                "info registers mstatus cycle instret priv",
                "advance 31",
                "continue",
            ],
        );
        has(&out, "Breakpoint 1, main () at guests/src/debuggee.c:27");
        has(&out, "29\t    int total = sum_squares(n);");
        has(
            &out,
            "sum_squares (n=n@entry=5) at guests/src/debuggee.c:19",
        );
        has(&out, "in main () at guests/src/debuggee.c:29");
        has(
            &out,
            "Breakpoint 2, square (x=x@entry=1) at guests/src/debuggee.c:1",
        );
        has(&out, "Value returned is $1 = 1");
        has(&out, "$2 = 0"); // counter
        has(&out, "$4 = 5"); // n
        has(
            &out,
            "<squares>:\t0x00000000\t0x00000001\t0x00000000\t0x00000000",
        );
        has(&out, "$5 = 100");
        has(&out, "Hardware watchpoint 3: counter");
        has(&out, "Old value = 100\nNew value = 101");
        has(&out, "23\t    return total;");
        has(&out, "sp             0x");
        has(&out, "ra             0x");
        has(&out, "priv           0x3\tprv:3 [Machine]");
        has(&out, "mstatus        0x");
        has(&out, "instret        0x");
        has(&out, "[Inferior 1 (process 1) exited normally]");
        drop(stub);
    }
}

#[test]
fn reverse_execution() {
    let elf = guest("rv64", "debuggee");
    let stub = Stub::start(&elf, &["--once"]);
    let out = stub.gdb(
        Some(&elf),
        &[
            "break square",
            "continue",
            "continue",
            "info registers",
            "p $instret",
            "stepi",
            "stepi",
            "reverse-stepi",
            "reverse-stepi",
            "info registers",
            "p $instret",
            "reverse-continue",
            "p x",
            "delete",
            "reverse-finish",
            "reverse-next",
            "reverse-step",
            "p $pc",
            "advance 30",
            "watch counter",
            "reverse-continue",
            "delete",
            "reverse-continue",
        ],
    );
    // Registers after stepi, stepi, reverse-stepi x2 equal those before.
    let names = [
        "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5",
        "t6", "pc",
    ];
    let reg_lines: Vec<&str> = out
        .lines()
        .filter(|l| names.iter().any(|n| l.starts_with(&format!("{n} "))))
        .collect();
    assert_eq!(reg_lines.len(), 2 * names.len(), "{out}");
    assert_eq!(reg_lines[..names.len()], reg_lines[names.len()..], "{out}");
    has(&out, "$1 = ");
    let instret = |n: &str| -> String {
        out.lines()
            .find(|l| l.starts_with(&format!("${n} = ")))
            .unwrap()
            .split(" = ")
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_eq!(instret("1"), instret("2"), "{out}");
    // reverse-continue stops at the previous hit of the breakpoint.
    has(
        &out,
        "Breakpoint 1, square (x=x@entry=1) at guests/src/debuggee.c:11",
    );
    has(&out, "$3 = 1");
    // reverse-finish goes back to the call in sum_squares.
    has(
        &out,
        "in sum_squares (n=n@entry=5) at guests/src/debuggee.c:20",
    );
    // A watchpoint hits going backwards (the last change of counter).
    has(
        &out,
        "Hardware watchpoint 2: counter\n\nOld value = 5\nNew value = 4",
    );
    // With nothing else to stop at, the start of history.
    has(&out, "No more reverse-execution history.");
}

/// A Rust guest on the Jolt platform: break on a Rust function by name,
/// a demangled backtrace with source lines, locals, next, reverse-next,
/// and Jolt's inlines named in the disassembly.
#[test]
fn rust_jolt_guest_breaks_by_name_steps_and_reverses() {
    let elf = repo().join("guests/bin/rust/jolt-hash.elf");
    // hash_chain(b"abc", 2), postcard-encoded.
    let stub = Stub::start(&elf, &["--once", "--input-hex", "0361626302"]);
    let out = stub.gdb(
        Some(&elf),
        &[
            "break jolt_hash::sha256",
            "continue",
            "bt",
            "next",
            "next",
            "info locals",
            "reverse-next",
            "delete",
            "monitor catch inline KECCAK256_INLINE",
            "continue",
            "bt 1",
            "monitor catch clear",
            "continue",
        ],
    );
    // Line numbers from the source the committed ELF was built from.
    let src = std::fs::read_to_string(repo().join("guests/rust/jolt-hash/src/main.rs")).unwrap();
    let line = |text: &str| 1 + src.lines().position(|l| l.contains(text)).unwrap();
    let entry = line("let mut state = Aligned([0u32; 8]);");
    let call = line("let mut digest = sha256(data);");
    let in_main = line("let result = hash_chain(data, rounds);");
    let chunks = line("let mut chunks = data.chunks_exact(64);");
    has(
        &out,
        &format!("Breakpoint 1.2, jolt_hash::sha256 (data=...) at jolt-hash/src/main.rs:{entry}"),
    );
    has(
        &out,
        &format!("in jolt_hash::hash_chain (data=..., rounds=2) at jolt-hash/src/main.rs:{call}"),
    );
    has(
        &out,
        &format!("in jolt_hash::main () at jolt-hash/src/main.rs:{in_main}"),
    );
    has(
        &out,
        &format!("{chunks}\t    let mut chunks = data.chunks_exact(64);"),
    );
    has(&out, "chunks = core::slice::iter::ChunksExact<u8> {v: &[u8] [], rem: &[u8] [97, 98, 99], chunk_size: 64}");
    // reverse-next comes back to that line from the next one.
    assert_eq!(
        out.matches(&format!("{chunks}\t    let mut chunks"))
            .count(),
        2,
        "{out}"
    );
    // An inline catchpoint stops before Keccak-f, in jolt_hash's keccak256.
    has(&out, "catchpoint: inline KECCAK256_INLINE");
    has(&out, "Program received signal SIGTRAP");
    has(&out, "#0  jolt_hash::keccak256::{closure#0}");
    has(&out, "[Inferior 1 (process 1) exited normally]");
}

#[test]
fn catch_syscalls_and_ecalls() {
    for arch in ARCHES {
        let elf = guest(arch, "hello");
        let stub = Stub::start(&elf, &["--once"]);
        let out = stub.gdb(
            Some(&elf),
            &[
                "monitor catch syscall write",
                "continue",
                "p $a7",
                "x/i $pc",
                "monitor catch",
                "monitor catch clear",
                "monitor cycles",
                "continue",
            ],
        );
        has(&out, "catchpoint: syscall 64 (write)");
        has(&out, "Program received signal SIGTRAP");
        has(&out, "$1 = 64");
        has(&out, ":\tecall");
        has(&out, "catching syscall 64 (write)");
        has(&out, "instructions,");
        has(&out, "[Inferior 1 (process 1) exited normally]");
        // Guest output reaches the stub's stdout, once.
        std::thread::sleep(Duration::from_millis(200));
        let printed = stub.stdout.lock().unwrap().clone();
        assert_eq!(
            printed.matches("Hello from a zkVM guest").count(),
            1,
            "{printed}"
        );
        drop(stub);

        let elf = guest(arch, "kernel");
        let stub = Stub::start(&elf, &["--once"]);
        let out = stub.gdb(
            Some(&elf),
            &[
                "monitor catch ecall",
                "continue",
                "x/i $pc",
                "p $a7",
                "p/x $mtvec",
                "bt 1",
            ],
        );
        has(&out, "catchpoint: every ecall");
        has(&out, ":\tecall");
        has(&out, "$1 = 64");
        assert!(!out.contains("$2 = 0x0\n"), "mtvec is set: {out}");
    }
}

#[test]
fn monitor_commands() {
    let elf = guest("rv64", "fib");
    let dir = tempdir("gdb-monitor");
    let svg = dir.join("run.svg");
    let stub = Stub::start(&elf, &["--once", "--output-dir", dir.to_str().unwrap()]);
    let out = stub.gdb(
        Some(&elf),
        &[
            "monitor help",
            "break fib",
            "continue",
            "monitor cycles",
            "monitor syscalls",
            "monitor profile run.svg",
            "monitor profile /etc/passwd",
            "monitor profile ../escape.svg",
            "monitor reset",
            "monitor cycles",
            "monitor bogus",
        ],
    );
    has(&out, "monitor catch syscall NAME|NR...");
    has(&out, "no syscalls yet");
    has(&out, "flamegraph of ");
    has(&out, "0 instructions, 0 cycles");
    has(&out, "unknown command `bogus`");
    has(&out, "`/etc/passwd` is not a plain file name");
    has(&out, "`../escape.svg` is not a plain file name");
    assert!(!dir.parent().unwrap().join("escape.svg").exists());
    let s = std::fs::read_to_string(&svg).unwrap();
    assert!(s.contains("main") && s.contains("__zk_start"), "svg");
}

#[test]
fn without_file_interrupt_reconnect_and_faults() {
    // No `file`: the target description alone makes GDB speak RISC-V.
    let elf = guest("rv32", "fib");
    let stub = Stub::start(&elf, &[]);
    let out = stub.gdb(
        None,
        &["show architecture", "stepi", "p/x $pc", "info registers pc"],
    );
    has(&out, "riscv:rv32");
    has(&out, "$1 = 0x80000004");
    // Reconnect: the stub served the first client and waits for the next;
    // each client gets the guest from its entry point.
    let out = stub.gdb(None, &["p/x $pc", "kill"]);
    has(&out, "$1 = 0x80000000");
    drop(stub);

    // Ctrl-C interrupts a running guest (Lua in an endless loop: the
    // guest is still running whenever the signal comes).
    let elf = guest("rv64", "lua");
    let script = tempdir("gdb-sigint").join("loop.lua");
    std::fs::write(&script, "local n = 0\nwhile true do n = n + 1 end\n").unwrap();
    let stub = Stub::start(&elf, &["--once", "--stdin", script.to_str().unwrap()]);
    let mut gdb = Command::new("gdb-multiarch")
        .current_dir(repo())
        .args(["-q", "-batch", "-nx"])
        .arg(&elf)
        .args(["-ex", &format!("target remote {}", stub.addr)])
        .args(["-ex", "continue", "-ex", "bt 1", "-ex", "monitor cycles"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    unsafe_sigint(gdb.id());
    let o = {
        let mut s = String::new();
        gdb.stdout.take().unwrap().read_to_string(&mut s).unwrap();
        gdb.wait().unwrap();
        s
    };
    has(&o, "Program received signal SIGINT");
    has(&o, "in luaV_execute (L=");
    drop(stub);

    // Faults stop with the right signal at the faulting instruction.
    for (name, sig) in [
        ("fault-null", "SIGSEGV"),
        ("fault-illegal", "SIGILL"),
        ("fault-misaligned", "SIGBUS"),
    ] {
        let elf = guest("rv64", name);
        let report = tempdir(&format!("gdb-{name}")).join("r.json");
        zkdbg(&[
            "run",
            elf.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ]);
        let r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        let pc = r["fault"]["pc"].as_str().unwrap().to_string();
        let stub = Stub::start(&elf, &["--once"]);
        let out = stub.gdb(Some(&elf), &["continue", "p/x $pc", "kill"]);
        has(&out, &format!("Program received signal {sig}"));
        has(&out, &format!("$1 = {pc}"));
    }
}

fn unsafe_sigint(pid: u32) {
    // `kill -INT`: what a terminal's Ctrl-C sends to GDB.
    Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
}

#[test]
fn malformed_packets_and_dying_clients_leave_the_stub_serving() {
    let elf = guest("rv64", "fib");
    let stub = Stub::start(&elf, &[]);
    // Garbage, a bad checksum, then a client that dies mid-packet.
    for junk in [
        &b"hello there\n"[..],
        b"$qSupported#00",
        b"+$m80000000,4#ff",
        b"$vCont;c#a8\x03\x03$",
        b"$m8000",
    ] {
        let mut s = TcpStream::connect(&stub.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let _ = s.write_all(junk);
        let mut buf = [0u8; 256];
        let _ = s.read(&mut buf);
        drop(s);
    }
    let out = stub.gdb(Some(&elf), &["break fib", "continue", "p n", "kill"]);
    has(&out, "Breakpoint 1, fib (n=n@entry=20)");
    has(&out, "$1 = 20");
    drop(stub);

    // The port is freed when the stub exits.
    let stub = Stub::start(&elf, &["--once"]);
    let addr = stub.addr.clone();
    stub.gdb(Some(&elf), &["kill"]);
    let mut child = stub;
    let status = child.child.wait().unwrap();
    assert!(status.success());
    std::net::TcpListener::bind(&addr).expect("port still taken");
}

#[test]
fn lldb_connects_breaks_and_steps() {
    let elf = guest("rv64", "debuggee");
    let stub = Stub::start(&elf, &["--once"]);
    let o = Command::new("lldb")
        .current_dir(repo())
        .arg("--batch")
        .args(["-o", &format!("target create {}", elf.display())])
        .args(["-o", &format!("gdb-remote {}", stub.addr)])
        .args(["-o", "breakpoint set --name square"])
        .args([
            "-o",
            "continue",
            "-o",
            "register read pc a0",
            "-o",
            "thread step-inst",
            "-o",
            "register read pc",
            "-o",
            "frame variable x",
            "-o",
            "bt",
            "-o",
            "finish",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("lldb not found: install Debian's lldb (scripts/test.sh does)");
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    has(&out, "debuggee.elf`square at debuggee.c:11");
    has(&out, "a0 = 0x0000000000000001");
    has(&out, "stop reason = instruction step into");
    has(&out, "pc = 0x00000000800001ee");
    // Variables and the call stack need the DWARF register numbers in
    // the target description.
    has(&out, "(int) x = 1");
    has(
        &out,
        "frame #1: 0x000000008000021a debuggee.elf`sum_squares(n=5) at debuggee.c:20",
    );
    has(
        &out,
        "frame #2: 0x0000000080000246 debuggee.elf`main at debuggee.c:29",
    );
    has(&out, "stop reason = step out");
    assert!(!out.contains("Unable to convert register"), "{out}");
}

/// A packet `$body#checksum`.
fn packet(body: &[u8]) -> Vec<u8> {
    let sum = body.iter().fold(0u8, |a, &b| a.wrapping_add(b));
    let mut p = vec![b'$'];
    p.extend_from_slice(body);
    p.extend_from_slice(format!("#{sum:02x}").as_bytes());
    p
}

/// Sends `packets` on one connection, each after the reply to the one
/// before (a whole `$...#xx` packet, or 300 ms of silence), until the stub
/// closes the connection or they are all sent.
fn send_all(addr: &str, packets: &[Vec<u8>]) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 4096];
    for p in packets {
        if s.write_all(p).is_err() {
            return;
        }
        let mut got = Vec::new();
        loop {
            match s.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(_) => break,
            }
            let start = got.iter().rposition(|&b| b == b'$');
            let end = got.iter().rposition(|&b| b == b'#');
            if matches!((start, end), (Some(a), Some(e)) if e > a && got.len() >= e + 3) {
                break;
            }
        }
        if s.write_all(b"+").is_err() {
            return;
        }
    }
}

#[test]
fn hostile_packets_end_a_session_at_most() {
    let elf = guest("rv64", "fib");
    let stub = Stub::start(&elf, &[]);
    // Known crashers: a qXfer length past usize, offsets past the XML,
    // addresses and lengths at the top of the address space.
    let known: Vec<Vec<u8>> = [
        &b"qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;xmlRegisters=i386"[..],
        b"qXfer:features:read:target.xml:10,ffffffffffffffff",
        b"qXfer:features:read:target.xml:ffffffffffffffff,10",
        b"qXfer:features:read:nonsense.xml:0,10",
        b"mffffffffffffffff,ffffffffffffffff",
        b"m0,ffffffff",
        b"Mfffffffffffffffe,4:00000000",
        b"Z0,ffffffffffffffff,2",
        b"Z2,fffffffffffffffc,ffffffffffffffff",
        b"pffffffff",
        b"P1000=00",
        b"vCont;r0,ffffffffffffffff",
        b"qRcmd,70726f66696c65202f6574632f706173737764", // profile /etc/passwd
        b"QCatchSyscalls:1;ffffffffffffffff",
        b"bc",
        b"bs",
        b"g",
        b"G00",
    ]
    .iter()
    .map(|b| packet(b))
    .collect();
    send_all(&stub.addr, &known);
    // Random packets built from the commands the stub knows, deterministic.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let prefixes: [&[u8]; 16] = [
        b"m",
        b"M",
        b"g",
        b"G",
        b"p",
        b"P",
        b"Z0,",
        b"z0,",
        b"Z2,",
        b"vCont;",
        b"qXfer:features:read:target.xml:",
        b"qRcmd,",
        b"QCatchSyscalls:",
        b"H",
        b"T",
        b"q",
    ];
    for _ in 0..40 {
        let mut batch = Vec::new();
        for _ in 0..25 {
            let mut body = prefixes[(next() % 16) as usize].to_vec();
            for _ in 0..(next() % 40) {
                let alphabet = b"0123456789abcdefABCDEF,:;=-xXsScCrR#$}*";
                body.push(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            // `k` and `D` end sessions on purpose: skip them.
            batch.push(packet(&body));
        }
        send_all(&stub.addr, &batch);
    }
    // The stub still serves a normal session, and no packet hit a bug.
    let out = stub.gdb(Some(&elf), &["break fib", "continue", "p n", "kill"]);
    has(&out, "$1 = 20");
    let log = stub.stderr.lock().unwrap().clone();
    assert!(
        !log.contains("internal error") && !log.contains("panicked"),
        "{log}"
    );
}

#[test]
fn remote_listening_busy_clients_and_idle_timeouts() {
    let elf = guest("rv64", "fib");
    // Not loopback: refused without --allow-remote.
    let o = Command::new(zkdbg_bin())
        .args(["gdb", elf.to_str().unwrap(), "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--allow-remote"));
    // A second client while one is attached is told so.
    let stub = Stub::start(&elf, &["--idle-timeout", "2"]);
    let mut first = TcpStream::connect(&stub.addr).unwrap();
    first.write_all(&packet(b"qSupported:swbreak+")).unwrap();
    let mut buf = [0u8; 512];
    first
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = first.read(&mut buf);
    let mut second = TcpStream::connect(&stub.addr).unwrap();
    second
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reply = String::new();
    let _ = second.read_to_string(&mut reply);
    assert!(reply.contains("another GDB client is attached"), "{reply}");
    // The idle first client is dropped after --idle-timeout; then the stub
    // serves the next one.
    std::thread::sleep(Duration::from_secs(3));
    let out = stub.gdb(Some(&elf), &["break fib", "continue", "p n", "kill"]);
    has(&out, "$1 = 20");
    drop(first);
}

#[test]
fn sp1_guest_breaks_by_name_steps_reverses_and_catches_a_precompile() {
    let elf = repo().join("guests/bin/sp1/sp1-hash.elf");
    let input = repo().join("guests/bin/sp1/inputs/abc-2.bin");
    let stub = Stub::start(&elf, &["--once", "--input", input.to_str().unwrap()]);
    let out = stub.gdb(
        Some(&elf),
        &[
            "break sp1_hash::sha256",
            "continue",
            "bt",
            "next",
            "next",
            "reverse-next",
            "delete",
            "monitor catch precompile KECCAK_PERMUTE",
            "continue",
            "bt 2",
            "p/x $t0",
            "monitor catch clear",
            "continue",
        ],
    );
    let src = std::fs::read_to_string(repo().join("guests/sp1/sp1-hash/src/main.rs")).unwrap();
    let line = |text: &str| 1 + src.lines().position(|l| l.contains(text)).unwrap();
    let entry = line("let mut msg = data.to_vec();");
    let bits = line("let bits = (data.len() as u64) * 8;");
    let call = line("let mut digest = sha256(&data);");
    has(
        &out,
        &format!("Breakpoint 1, sp1_hash::sha256 (data=...) at sp1-hash/src/main.rs:{entry}"),
    );
    has(
        &out,
        &format!("in sp1_hash::main () at sp1-hash/src/main.rs:{call}"),
    );
    // next, next, reverse-next: back on the first line stepped to.
    let bits_line = format!("{bits}\t    let bits = (data.len() as u64) * 8;");
    assert_eq!(out.matches(&bits_line).count(), 2, "{out}");
    // The precompile catchpoint stops at the ecall, t0 = KECCAK_PERMUTE's id.
    has(&out, "catchpoint: inline KECCAK_PERMUTE");
    assert!(
        out.lines().any(|l| l.starts_with("#0 ")
            && l.contains(
                " in sp1_zkvm::syscalls::keccak_permute::syscall_keccak_permute (state=0x"
            )),
        "{out}"
    );
    has(
        &out,
        &format!(
            "in sp1_hash::main () at sp1-hash/src/main.rs:{}",
            line("syscall_keccak_permute(&mut keccak);")
        ),
    );
    has(&out, "0x10109");
    has(&out, "[Inferior 1 (process 1) exited normally]");
}

/// A RISC Zero guest under gdb: its user program only (the v1compat kernel
/// that serves each `ecall` is stepped through as one instruction).
#[test]
fn risc0_guest_breaks_by_name_steps_over_the_kernel_and_catches_sha() {
    let elf = repo().join("guests/bin/risc0/r0-hash.elf");
    let input = repo().join("guests/bin/risc0/inputs/abc-2.bin");
    let stub = Stub::start(&elf, &["--once", "--input", input.to_str().unwrap()]);
    let out = stub.gdb(
        Some(&elf),
        &[
            "break r0_hash::main",
            "continue",
            "next",
            "next",
            "reverse-next",
            "monitor catch precompile SHA",
            "continue",
            "bt 3",
            "p/x $t0",
            "stepi",
            "p/x $t0",
            "x/i $pc",
            "monitor catch clear",
            "continue",
        ],
    );
    let src = std::fs::read_to_string(repo().join("guests/risc0/r0-hash/src/main.rs")).unwrap();
    let line = |text: &str| 1 + src.lines().position(|l| l.contains(text)).unwrap();
    has(
        &out,
        &format!(
            "Breakpoint 1, r0_hash::main () at r0-hash/src/main.rs:{}",
            line("env::read();")
        ),
    );
    // next, next, reverse-next: back on the first line stepped to.
    let check = format!("{}\t    if rounds == 0 {{", line("if rounds == 0"));
    assert_eq!(out.matches(&check).count(), 2, "{out}");
    // The catchpoint stops at the user's ecall (t0 = SHA, 3) in
    // risc0-zkvm-platform; one stepi runs the kernel's whole call and
    // lands on the next user instruction.
    has(&out, "catchpoint: inline SHA");
    has(
        &out,
        "risc0_zkvm_platform::syscall::sys_sha_buffer (out_state=0x",
    );
    let at = out
        .lines()
        .find_map(|l| {
            l.strip_prefix("0x")?
                .split_once(" in risc0_zkvm_platform::syscall::ecall_4")
        })
        .map(|(a, _)| u64::from_str_radix(a, 16).unwrap())
        .unwrap_or_else(|| panic!("no stop at the ecall: {out}"));
    has(&out, "$1 = 0x3");
    has(&out, "$2 = 0x3");
    has(
        &out,
        &format!(
            "=> {:#x} <risc0_zkvm_platform::syscall::sys_sha_buffer+",
            at + 4
        ),
    );
    has(&out, "[Inferior 1 (process 1) exited normally]");
}

/// RISC Zero's bigint accelerator under gdb: `catch precompile BIGINT2`
/// stops at the user's ecall inside risc0-bigint2's modmul; one stepi runs
/// the kernel and the host call, and the result buffer (a4) then holds
/// x * y mod m.
#[test]
fn risc0_bigint2_call_is_caught_and_its_result_is_in_memory_after_stepi() {
    use num_bigint::BigUint;
    let elf = repo().join("guests/bin/risc0/r0-bigint.elf");
    let input_path = repo().join("guests/bin/risc0/inputs/bigint-10.bin");
    let input = std::fs::read(&input_path).unwrap();
    let num = |i: usize| BigUint::from_bytes_le(&input[32 * i..32 * i + 32]);
    let (x, y, m) = (num(0), num(1), num(2));
    let want = (&x * &y) % &m;
    let stub = Stub::start(&elf, &["--once", "--input", input_path.to_str().unwrap()]);
    let out = stub.gdb(
        Some(&elf),
        &[
            "monitor catch precompile BIGINT2",
            "continue",
            "bt 4",
            "p/x $t0",
            "set $out = $a4",
            "stepi",
            "x/8xw $out",
            "monitor catch clear",
            "continue",
        ],
    );
    has(&out, "catchpoint: inline BIGINT2");
    has(&out, "risc0_bigint2::field::");
    // t0 = BIGINT2 (6).
    has(&out, "$1 = 0x6");
    let words: Vec<String> = want
        .to_u32_digits()
        .iter()
        .map(|w| format!("{w:#010x}"))
        .collect();
    has(&out, &words[..4].join("\t"));
    has(&out, &words[4..].join("\t"));
    has(&out, "[Inferior 1 (process 1) exited normally]");
}

/// A flat Airbender binary under gdb, named by its ELF (`--symbols`):
/// break in main, step, read the output registers at the final `j .`.
#[test]
fn airbender_flat_binary_breaks_steps_and_shows_the_output_registers() {
    let bin = repo().join("guests/bin/airbender/fib.bin");
    let elf = repo().join("guests/bin/airbender/fib.elf");
    let stub = Stub::start(
        &bin,
        &[
            "--once",
            "--platform",
            "airbender",
            "--symbols",
            elf.to_str().unwrap(),
        ],
    );
    let out = stub.gdb(
        Some(&elf),
        &[
            "break main",
            "continue",
            "bt",
            "next",
            "break finish",
            "continue",
            "p/x r0",
            "p r1",
            "continue",
        ],
    );
    has(&out, "Breakpoint 1, main () at guests/airbender/fib.c:");
    has(
        &out,
        "Breakpoint 2, finish (r1=10, r0=144) at guests/airbender/fib.c:",
    );
    has(&out, "$1 = 0x90");
    has(&out, "$2 = 10");
    // The final `j .` ends the run.
    has(&out, "[Inferior 1 (process 1) exited normally]");
}

/// An OpenVM guest under gdb: break by name and step in Rust source, stop
/// at an extension instruction by its OpenVM name, and a watchpoint on
/// the state KECCAKF rewrites (the custom instruction's memory writes are
/// watched like stores).
#[test]
fn openvm_guest_breaks_catches_keccakf_and_watches_its_state() {
    let elf = repo().join("guests/bin/openvm/ov-hash.elf");
    let input = repo().join("guests/bin/openvm/inputs/abc-2.bin");
    let stub = Stub::start(&elf, &["--once", "--input", input.to_str().unwrap()]);
    let out = stub.gdb(
        Some(&elf),
        &[
            "break ov_hash::main",
            "continue",
            "next",
            "next",
            "reverse-next",
            "delete",
            "monitor catch precompile KECCAKF",
            "continue",
            "x/i $pc",
            "monitor catch clear",
            "set language c",
            "watch *(unsigned int *)$s0",
            "continue",
            "delete",
            "continue",
        ],
    );
    let src = std::fs::read_to_string(repo().join("guests/openvm/ov-hash/src/main.rs")).unwrap();
    let line = |text: &str| 1 + src.lines().position(|l| l.contains(text)).unwrap();
    has(
        &out,
        &format!(
            "Breakpoint 1, ov_hash::main () at ov-hash/src/main.rs:{}",
            line("= read();")
        ),
    );
    let check = format!("{}\t    if rounds == 0 {{", line("if rounds == 0"));
    assert_eq!(out.matches(&check).count(), 2, "{out}");
    has(&out, "catchpoint: inline KECCAKF");
    has(&out, "openvm_keccak256_guest::native_keccakf (buffer=0x");
    has(&out, "<openvm_keccak256_guest::native_keccakf+");
    // The state's first word: "abc" and the 0x01 of Keccak's padding,
    // then the first bytes of Keccak-256("abc") = 4e03657a...
    has(
        &out,
        &format!("Old value = {}", u32::from_le_bytes(*b"abc\x01")),
    );
    has(
        &out,
        &format!(
            "New value = {}",
            u32::from_le_bytes([0x4e, 0x03, 0x65, 0x7a])
        ),
    );
    has(&out, "[Inferior 1 (process 1) exited normally]");
}

#[test]
fn zisk_guest_breaks_catches_keccakf_and_watches_its_state() {
    let elf = repo().join("guests/bin/zisk/zk-hash.elf");
    let stub = Stub::start(&elf, &["--once", "--input-hex", "616263"]);
    let out = stub.gdb(
        Some(&elf),
        &[
            "break keccak256",
            "continue",
            "monitor catch precompile KECCAKF",
            "continue",
            "x/i $pc",
            "monitor catch clear",
            "watch kst[0]",
            "continue",
            "delete",
            "continue",
        ],
    );
    has(&out, "Breakpoint 1, keccak256 (");
    has(&out, "zk-hash.c:");
    has(&out, "catchpoint: ");
    has(&out, "keccakf(kst);");
    has(&out, "csrs\t0x800,");
    // The first lane: "abc" and the 0x01 of Keccak's padding, then the
    // first 8 bytes of Keccak-256("abc") = 4e03657aea45a94f.
    has(
        &out,
        &format!("Old value = {}", u64::from_le_bytes(*b"abc\x01\0\0\0\0")),
    );
    has(
        &out,
        &format!(
            "New value = {}",
            u64::from_le_bytes([0x4e, 0x03, 0x65, 0x7a, 0xea, 0x45, 0xa9, 0x4f])
        ),
    );
    has(&out, "[Inferior 1 (process 1) exited normally]");
}
