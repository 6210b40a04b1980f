//! Fuzz targets: each takes arbitrary bytes (the shape libFuzzer and
//! cargo-fuzz use) and turns them into hostile input for one part of
//! zkdbg, asserting the properties every input must keep: no host panic,
//! no hang, host memory within the guest's limit, no file touched outside a
//! mount, and (for [`isa`]) the same registers as QEMU.
//!
//! [`campaign`] drives a target with inputs drawn from a seeded generator
//! (the short deterministic runs in `tests/tests/fuzz.rs`, and the long
//! ones of `scripts/fuzz.sh`), and replays the saved crashers in
//! `tests/fuzz/regressions/TARGET/`. A failing input is written there
//! before the panic goes on, so that it becomes a regression test.

use arbitrary::{Arbitrary, Unstructured};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroos::{OsConfig, Output, ZeroOs};
use zkdbg_emulator::memory::PAGE_SIZE;
use zkdbg_emulator::{Config, Environment, Machine, Memory, Program, SyscallRequest, Xlen};

/// A fuzz target.
pub type Target = fn(&[u8]);

/// Every target, by name.
pub const TARGETS: [(&str, Target); 7] = [
    ("elf", elf),
    ("syscalls", syscalls),
    ("dwarf", dwarf),
    ("gdb", gdb),
    ("isa", isa),
    ("platform", platform_calls),
    ("engines", engines),
];

/// Memory limit of the guests the targets run (bytes).
const LIMIT: u64 = 32 << 20;

fn guest_bytes_at(path: &str) -> Vec<u8> {
    std::fs::read(crate::repo().join(path)).expect("bundled guest")
}

fn guest_bytes(arch: &str, name: &str) -> Vec<u8> {
    std::fs::read(crate::guest(arch, name)).expect("bundled guest")
}

fn pick<'a, T>(u: &mut Unstructured, items: &'a [T]) -> &'a T {
    &items[u.choose_index(items.len()).unwrap_or(0)]
}

/// zkVM platform calls with arbitrary registers and memory (Jolt's
/// inlines and Airbender's delegations among them): up to 48 SP1
/// syscalls and precompiles (both XLENs, ids from SP1's table or any),
/// RISC Zero user `ecall`s, kernel host calls and `mret`s in any order,
/// Airbender CSR accesses, OpenVM custom instructions (its own or any
/// custom-0/custom-1 word), or ZisK's call CSRs (its precompiles, DMA
/// calls with any instruction after them, free-input calls); arguments are edge values, small numbers,
/// pointers into memory or anything. Every call must end in a result or
/// a clear fault: no host panic, guest memory within its limit.
pub fn platform_calls(data: &[u8]) {
    use zkdbg_emulator::{Cpu, EcallResult};
    use zkdbg_platforms::{airbender, openvm, risc0, sp1, zisk};
    let mut u = Unstructured::new(data);
    let edges = [
        0u64,
        1,
        4,
        8,
        64,
        0x1_0000,
        0x20_0400,
        0x20_0800,
        0x7800_0000,
        0xc000_0000,
        0xffff_0000,
        0xffff_0200,
        0xffff_1000,
        u32::MAX as u64,
        u64::MAX,
        1 << 46,
        1 << 47,
    ];
    let val = |u: &mut Unstructured| -> u64 {
        match u.choose_index(3).unwrap_or(0) {
            0 => *pick(u, &edges),
            1 => u.int_in_range(0..=64u64).unwrap_or(0),
            _ => u.arbitrary().unwrap_or(0),
        }
    };
    let mut console = |_fd: u32, _b: &[u8], _m: &mut Memory| Ok(());
    match u.choose_index(6).unwrap_or(0) {
        5 => {
            // Jolt's inlines and virtual instructions (opcodes 0x0B and
            // 0x5B by funct3/funct7), operands edge or data pointers.
            use zkdbg_platforms::jolt::{JoltDevice, JoltInputs, MemoryConfig, MemoryLayout};
            let mut mem = Memory::new(Xlen::X64, LIMIT);
            let data = 0x8000_0000u64;
            if mem.map(data, 0x2000).is_err() {
                return;
            }
            let mut c = MemoryConfig::with_program_size(0x2000);
            c.heap_size = 0x1000;
            let Ok(layout) = MemoryLayout::new(&c) else {
                return;
            };
            let Ok(mut d) = JoltDevice::install(layout, &JoltInputs::default(), &mut mem) else {
                return;
            };
            let mut cpu = Cpu::new(Xlen::X64, data);
            for _ in 0..u.int_in_range(1..=32).unwrap_or(1) {
                let word = if u.ratio(1, 8).unwrap_or(false) {
                    let w: u32 = u.arbitrary().unwrap_or(0);
                    (w & !0x7f) | *pick(&mut u, &[0x0bu32, 0x5b])
                } else {
                    let (f3, f7, _) = *pick(&mut u, zkdbg_platforms::jolt::insn::INLINES);
                    0x0b | 12 << 7 | u32::from(f3) << 12 | 10 << 15 | 11 << 20 | u32::from(f7) << 25
                };
                for r in 10..13 {
                    cpu.x[r] = if u.ratio(2, 3).unwrap_or(true) {
                        data + 8 * u.int_in_range(0..=1000u64).unwrap_or(0)
                    } else {
                        val(&mut u)
                    };
                }
                if u.ratio(1, 2).unwrap_or(false) {
                    let bytes: Vec<u8> = (0..64).map(|_| u.arbitrary().unwrap_or(0xff)).collect();
                    let _ = mem.write_user(cpu.x[10] & !7, &bytes);
                }
                let insn = zkdbg_emulator::decode(word, Xlen::X64);
                let r = d.serve(&insn, &mut cpu, &mut mem);
                assert!(mem.used_bytes() <= LIMIT, "{r:?}");
            }
        }
        0 => {
            let xlen = if u.ratio(1, 2).unwrap_or(true) {
                Xlen::X64
            } else {
                Xlen::X32
            };
            let image = if xlen == Xlen::X64 {
                sp1::STACK_TOP
            } else {
                0x20_0800
            };
            let mut mem = Memory::new(xlen, LIMIT);
            let inputs = vec![vec![1u8; 16], vec![]];
            let Ok(mut d) = sp1::Sp1Device::install(inputs, [(image, 0x1000)], None, &mut mem)
            else {
                return;
            };
            let mut cpu = Cpu::new(xlen, image);
            for _ in 0..u.int_in_range(1..=48).unwrap_or(1) {
                cpu.x[5] = if u.ratio(1, 8).unwrap_or(false) {
                    val(&mut u)
                } else {
                    u64::from(pick(&mut u, sp1::SYSCALLS).code)
                };
                for r in 10..15 {
                    cpu.x[r] = xlen.truncate(val(&mut u));
                }
                let r = d.serve(&mut cpu, &mut mem, &mut console);
                assert!(mem.used_bytes() <= LIMIT, "{r:?}");
                if matches!(r, EcallResult::Halt { .. }) {
                    break;
                }
            }
        }
        1 => {
            let mut mem = Memory::new(Xlen::X32, LIMIT);
            let Ok(mut d) = risc0::Risc0Device::install(
                risc0::V1COMPAT_KERNEL,
                vec![3; 40],
                0,
                0x20_0800,
                [(0x20_0800, 0x1000)],
                &mut mem,
            ) else {
                return;
            };
            let mut cpu = Cpu::new(Xlen::X32, d.kernel_entry);
            // Names software syscalls can point at.
            let name = b"risc0_zkvm_platform::syscall::nr::SYS_READ\0";
            mem.write_bytes(0x30_0000, name).unwrap();
            for _ in 0..u.int_in_range(1..=48).unwrap_or(1) {
                for r in [5, 10, 11, 12, 13, 14, 15, 17, 31] {
                    cpu.x[r] = val(&mut u) & 0xffff_ffff;
                }
                if u.ratio(1, 4).unwrap_or(false) {
                    cpu.x[10] = 0x30_0000;
                    cpu.x[17] = risc0::HOST_READ;
                } else if u.ratio(1, 3).unwrap_or(false) {
                    // A BIGINT call of a generated bibc program: small
                    // tables, ops of the known codes with operands
                    // mostly in range, arenas near the program.
                    let (types, consts, ops) = (
                        u.int_in_range(1..=3u32).unwrap_or(1),
                        u.int_in_range(1..=8u32).unwrap_or(1),
                        u.int_in_range(0..=40u32).unwrap_or(1),
                    );
                    let mut p = b"bibc\x01\0\0\0\0\0\0\0".to_vec();
                    for n in [types, consts, ops] {
                        p.extend(n.to_le_bytes());
                    }
                    for _ in 0..types {
                        p.extend(u.int_in_range(0..=80u64).unwrap_or(16).to_le_bytes());
                        p.extend([0u8; 24]);
                    }
                    for _ in 0..consts {
                        p.extend(val(&mut u).to_le_bytes());
                    }
                    for i in 0..u64::from(ops) {
                        let code = if i < 2 {
                            2
                        } else if u.ratio(1, 200).unwrap_or(false) {
                            0x5
                        } else {
                            *pick(&mut u, &[2u64, 3, 4, 8, 9, 0xa, 0xb, 0xc, 0xe])
                        };
                        // Operands as each op reads them, now and then wild.
                        let value = |u: &mut Unstructured| {
                            u.int_in_range(0..=i.saturating_sub(1)).unwrap_or(0)
                        };
                        let arena = |u: &mut Unstructured| {
                            u64::from(*pick(u, &[11u8, 12, 11, 12, 10, 2, 0, 40])) << 16
                                | u.int_in_range(0..=4u64).unwrap_or(0)
                        };
                        let (x, y) = match code {
                            2 => (
                                u.int_in_range(0..=u64::from(consts).saturating_sub(1))
                                    .unwrap_or(0),
                                *pick(&mut u, &[1u64, 1, 1, 2, 0]),
                            ),
                            3 => (arena(&mut u), 0),
                            4 => (arena(&mut u), value(&mut u)),
                            _ => (value(&mut u), value(&mut u)),
                        };
                        let (x, y) = if u.ratio(1, 50).unwrap_or(false) {
                            (u.int_in_range(0..=0xff_ffffu64).unwrap_or(0), y)
                        } else {
                            (x, y)
                        };
                        let ty = if u.ratio(1, 20).unwrap_or(false) {
                            3
                        } else {
                            0
                        };
                        p.extend((code | ty << 4 | x << 16 | y << 40).to_le_bytes());
                    }
                    let words = p.len().div_ceil(4) as u32;
                    let words = if u.ratio(1, 8).unwrap_or(false) {
                        val(&mut u) as u32
                    } else {
                        words
                    };
                    let _ = mem.write_bytes(0x31_0000, &p);
                    let blob = [words, u.int_in_range(0..=64u32).unwrap_or(0), 4];
                    for (i, w) in blob.iter().enumerate() {
                        let _ = mem.write_bytes(0x30_1000 + 4 * i as u64, &w.to_le_bytes());
                    }
                    cpu.x[5] = *pick(&mut u, &[0u64, 1, 0, 1, 0, 1, 0, 2]);
                    cpu.x[6] = 0x31_0000;
                    cpu.x[7] = 0x30_2000;
                    cpu.x[28] = 0x30_3000;
                    cpu.x[10] = 0x30_1000;
                    for r in 11..13 {
                        cpu.x[r] = 0x32_0000 + 0x100 * u.int_in_range(0..=8u64).unwrap_or(0);
                    }
                    cpu.x[17] = risc0::HOST_BIGINT;
                }
                for at in [risc0::MEPC_ADDR, risc0::ECALL_DISPATCH_ADDR] {
                    if u.ratio(1, 4).unwrap_or(false) {
                        let w = val(&mut u) as u32;
                        mem.write_bytes(at, &w.to_le_bytes()).unwrap();
                    }
                }
                if u.ratio(1, 4).unwrap_or(false) {
                    let _ = d.mret(&mut cpu, &mut mem);
                    continue;
                }
                let pc = cpu.pc;
                let r = d.serve(pc, &mut cpu, &mut mem, &mut console);
                assert!(mem.used_bytes() <= LIMIT, "{r:?}");
                if matches!(r, EcallResult::Halt { .. }) {
                    break;
                }
            }
        }
        2 => {
            let mut mem = Memory::new(Xlen::X32, LIMIT);
            mem.set_guard(0);
            let inputs = vec![vec![7u8; 13], vec![], vec![1u8; 4100]];
            let Ok(mut d) = openvm::OpenVmDevice::install(inputs, [(0x20_0800, 0x1000)], &mut mem)
            else {
                return;
            };
            let mut cpu = Cpu::new(Xlen::X32, 0x20_0800);
            // OpenVM's instructions, by (opcode, funct3, imm or funct7).
            let ops: [(u32, u32, u32); 12] = [
                (0x0b, 1, 0),
                (0x0b, 1, 1),
                (0x0b, 2, 0),
                (0x0b, 3, 0),
                (0x0b, 3, 1),
                (0x0b, 3, 2),
                (0x0b, 4, 0),
                (0x0b, 4, 1),
                (0x0b, 4, 2),
                (0x0b, 4, 3),
                (0x0b, 5, 0),
                (0x2b, 1, 0),
            ];
            for _ in 0..u.int_in_range(1..=48).unwrap_or(1) {
                let (rd, rs1, rs2) = (10u32, 11u32, 12u32);
                let word = if u.ratio(1, 8).unwrap_or(false) {
                    let w: u32 = u.arbitrary().unwrap_or(0);
                    (w & !0x7f) | if w & 1 == 0 { 0x0b } else { 0x2b }
                } else {
                    let (op, f3, x) = *pick(&mut u, &ops);
                    let hi = if op == 0x0b && matches!(f3, 1..=3) {
                        x << 20 | rs1 << 15
                    } else {
                        x << 25 | rs2 << 20 | rs1 << 15
                    };
                    op | rd << 7 | f3 << 12 | hi
                };
                for r in [10, 11, 12] {
                    cpu.x[r] = val(&mut u) & 0xffff_ffff;
                }
                let insn = zkdbg_emulator::decode(word, Xlen::X32);
                let r = d.serve(&insn, 0x20_0800, &mut cpu, &mut mem);
                assert!(mem.used_bytes() <= LIMIT, "{r:?}");
            }
        }
        3 => {
            let mut mem = Memory::new(Xlen::X64, LIMIT);
            let code = 0x8000_0000u64;
            if mem.map(code, 0x1000).is_err() {
                return;
            }
            static ELF: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
            let elf = ELF.get_or_init(|| guest_bytes_at("guests/bin/zisk/zk-hash.elf"));
            let Ok(mut d) =
                zisk::ZiskDevice::install(zisk::Layout::Current, &[vec![5; 20]], elf, [], &mut mem)
            else {
                return;
            };
            let mut cpu = Cpu::new(Xlen::X64, code);
            for _ in 0..u.int_in_range(1..=48).unwrap_or(1) {
                let csr = u32::from(pick(&mut u, &zisk::CALLS).0);
                let first = match u.choose_index(8).unwrap_or(0) {
                    // FCALL_PARAM (any port), FCALL (any id), FCALL_GET
                    0 => {
                        let port = u.int_in_range(0x8F0..=0x8FFu32).unwrap_or(0x8F0);
                        0x73 | 2 << 12 | 10 << 15 | port << 20
                    }
                    1 => {
                        let id = u.int_in_range(0..=40u32).unwrap_or(23);
                        0x73 | 5 << 12 | (id & 31) << 15 | (0x8C0 + (id >> 5)) << 20
                    }
                    2 => 0x73 | 10 << 7 | 2 << 12 | 0xFFE << 20,
                    3 => 0x73 | 6 << 12 | 2 << 15 | csr << 20,
                    _ => 0x73 | 2 << 12 | 10 << 15 | csr << 20,
                };
                let second: u32 = if u.ratio(1, 2).unwrap_or(true) {
                    // add/addi rd, a1, a2/imm
                    let rd = u.int_in_range(0..=12u32).unwrap_or(0);
                    if u.arbitrary().unwrap_or(true) {
                        0x33 | rd << 7 | 11 << 15 | 12 << 20
                    } else {
                        0x13 | rd << 7 | 11 << 15 | u.int_in_range(0..=0xfffu32).unwrap_or(0) << 20
                    }
                } else {
                    u.arbitrary().unwrap_or(0)
                };
                let third: u32 = u.arbitrary().unwrap_or(0);
                let bytes: Vec<u8> = [first, second, third]
                    .iter()
                    .flat_map(|w| w.to_le_bytes())
                    .collect();
                let _ = mem.write_user(code, &bytes);
                for r in 10..13 {
                    cpu.x[r] = val(&mut u);
                }
                let insn = zkdbg_emulator::decode(first, Xlen::X64);
                let r = d.serve(&insn, code, &mut cpu, &mut mem);
                assert!(mem.used_bytes() <= LIMIT, "{r:?}");
            }
        }
        _ => {
            let mut mem = Memory::new(Xlen::X32, LIMIT);
            mem.set_guard(0);
            let Ok(mut d) = airbender::AirbenderDevice::install(vec![1, 2, 3], [(0, 16)], &mut mem)
            else {
                return;
            };
            for _ in 0..u.int_in_range(1..=200).unwrap_or(1) {
                let csr = if u.ratio(1, 2).unwrap_or(true) {
                    0x7c0
                } else {
                    u.int_in_range(0x7b0..=0x800u16).unwrap_or(0x7c0)
                };
                let rd = u.int_in_range(0..=31usize).unwrap_or(0);
                if u.ratio(1, 3).unwrap_or(false) {
                    // A delegation: csrrw (or another CSR op) on 0x7c7 or
                    // 0x7ca, x10..x13 edge or RAM pointers.
                    let csr = *pick(&mut u, &[0x7c7u32, 0x7ca]);
                    let f3 = *pick(&mut u, &[1u32, 1, 1, 2, 5]);
                    let rs1 = *pick(&mut u, &[0u32, 0, 0, 10]);
                    let insn =
                        zkdbg_emulator::decode(0x73 | f3 << 12 | rs1 << 15 | csr << 20, Xlen::X32);
                    let mut cpu = Cpu::new(Xlen::X32, 0);
                    for r in 10..14 {
                        cpu.x[r] = if u.ratio(1, 2).unwrap_or(true) {
                            0x20_0000 + 32 * u.int_in_range(0..=8u64).unwrap_or(0)
                        } else {
                            val(&mut u) & 0xffff_ffff
                        };
                    }
                    let r = d.delegate(&insn, 0, &mut cpu, &mut mem);
                    assert!(mem.used_bytes() <= LIMIT, "{r:?}");
                    continue;
                }
                let _ = d.csr(csr, rd, val(&mut u), u.arbitrary().unwrap_or(true));
            }
        }
    }
}

/// ELF parsing, loading and a bounded run (200,000 instructions) of a
/// bundled guest mutated by the input (byte writes weighted towards the
/// ELF and program headers), or of the raw input itself.
pub fn elf(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let names = ["fib", "hello", "kernel", "fault-null", "hostile"];
    let raw = u.ratio(1, 8).unwrap_or(false);
    let mut bytes = if raw {
        u.bytes(u.len()).unwrap_or(&[]).to_vec()
    } else {
        let arch = *pick(&mut u, &["rv64", "rv32"]);
        let name = pick::<&str>(&mut u, &names);
        guest_bytes(arch, name)
    };
    // A few mutations (most inputs must still load, to reach the run):
    // a byte, a flipped bit, or an edge value over a 4- or 8-byte field,
    // mostly within the ELF and program headers.
    let edges = [
        0u64,
        1,
        0xffff_ffff,
        u64::MAX,
        1 << 31,
        1 << 63,
        0x8000_0000,
        0x1_0000,
        0x1000,
    ];
    let mutations = if raw {
        0
    } else {
        1 + u.choose_index(6).unwrap_or(0)
    };
    for _ in 0..mutations {
        if bytes.len() < 8 || u.is_empty() {
            break;
        }
        let headers = u.ratio(3, 4).unwrap_or(true);
        let span = if headers {
            bytes.len().min(0x200)
        } else {
            bytes.len()
        } - 8;
        let at = u.choose_index(span).unwrap_or(0);
        match u.choose_index(4).unwrap_or(0) {
            0 => bytes[at] = u8::arbitrary(&mut u).unwrap_or(0xff),
            1 => bytes[at] ^= 1 << u.choose_index(8).unwrap_or(0),
            2 => {
                let v = (*pick(&mut u, &edges) as u32).to_le_bytes();
                bytes[at & !3..(at & !3) + 4].copy_from_slice(&v);
            }
            _ => {
                let v = pick(&mut u, &edges).to_le_bytes();
                bytes[at & !7..(at & !7) + 8].copy_from_slice(&v);
            }
        }
    }
    let debug = std::env::var_os("FUZZ_DEBUG").is_some();
    let Ok(program) = Program::parse(&bytes) else {
        if debug {
            eprintln!("elf: not parsed");
        }
        return;
    };
    let program = Arc::new(program);
    let config = Config {
        memory_limit: LIMIT,
        max_cycles: Some(1 << 22),
        ..Config::default()
    };
    let Ok(mut m) = Machine::new(program.clone(), config) else {
        if debug {
            eprintln!("elf: not loaded");
        }
        return;
    };
    let mut os = ZeroOs::new(
        &program,
        OsConfig {
            stdin: b"fuzz input".to_vec(),
            output: Output::Capture,
            ..OsConfig::default()
        },
    );
    let stop = m.run(&mut os, &mut (), 200_000);
    if debug {
        eprintln!("elf: ran {} instructions: {stop:?}", m.cpu.instret);
    }
    assert!(
        m.mem.used_bytes() <= LIMIT,
        "{} bytes held",
        m.mem.used_bytes()
    );
}

/// Syscall numbers zeroos serves, and a few it does not.
const SYSCALLS: [u64; 52] = [
    17,
    23,
    24,
    25,
    29,
    34,
    35,
    48,
    56,
    57,
    62,
    63,
    64,
    65,
    66,
    67,
    68,
    79,
    80,
    82,
    93,
    96,
    98,
    99,
    101,
    113,
    114,
    124,
    129,
    131,
    132,
    134,
    135,
    153,
    160,
    163,
    169,
    172,
    174,
    214,
    215,
    222,
    226,
    233,
    261,
    278,
    291,
    403,
    422,
    0,
    1000,
    0xffff_ffff,
];

/// zeroos syscalls with arbitrary arguments and memory: a sequence of up
/// to 48 calls whose arguments are edge values, small numbers, pointers
/// into the guest's pages (holding paths) or anything at all, on both
/// XLENs, with a read-only and a writable mount of a scratch directory
/// that holds a symlink out of it.
pub fn syscalls(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let xlen = if u.ratio(1, 2).unwrap_or(true) {
        Xlen::X64
    } else {
        Xlen::X32
    };
    let (jail, outside) = scratch_dirs();
    let base = 0x8000_0000u64;
    // Code (r-x), rodata with paths (r--), data (rw-).
    let mut image = vec![0u8; 3 * PAGE_SIZE as usize];
    let paths: [&[u8]; 8] = [
        b"/tmp/f\0",
        b"/dev/zero\0",
        b"/m/file\0",
        b"/w/new\0",
        b"/w/out/escaped\0",
        b"/m/out/secret\0",
        b"/dev/urandom\0",
        b"/w/dir\0",
    ];
    for (i, p) in paths.iter().enumerate() {
        let at = PAGE_SIZE as usize + 64 * i;
        image[at..at + p.len()].copy_from_slice(p);
    }
    let program = Program::flat(xlen, base, image, 3 * PAGE_SIZE);
    let mut mem = Memory::new(xlen, LIMIT);
    program.load_into(&mut mem).unwrap();
    use zkdbg_emulator::memory::Perm;
    mem.protect(base, PAGE_SIZE, Perm::RX).unwrap();
    mem.protect(base + PAGE_SIZE, PAGE_SIZE, Perm::R).unwrap();
    mem.protect(base + 2 * PAGE_SIZE, PAGE_SIZE, Perm::RW)
        .unwrap();
    let mounts = vec![
        zeroos::Mount {
            host: jail.clone(),
            guest: "/m".into(),
            writable: false,
        },
        zeroos::Mount {
            host: jail.clone(),
            guest: "/w".into(),
            writable: true,
        },
    ];
    let mut os = ZeroOs::new(
        &program,
        OsConfig {
            stdin: vec![7; 100],
            mounts,
            output: Output::Capture,
            ..OsConfig::default()
        },
    );
    let edges = [
        0u64,
        1,
        u64::MAX,
        i64::MAX as u64,
        1 << 62,
        1 << 46,
        1 << 40,
        1 << 32,
        u32::MAX as u64,
        (1 << 31) - 1,
        4096,
        4095,
        -4096i64 as u64,
        -100i64 as u64,
    ];
    for _ in 0..48 {
        if u.is_empty() {
            break;
        }
        let nr = *pick(&mut u, &SYSCALLS);
        let mut args = [0u64; 6];
        for a in &mut args {
            *a = match u.choose_index(5).unwrap_or(0) {
                0 => *pick(&mut u, &edges),
                1 => u64::from(u8::arbitrary(&mut u).unwrap_or(0)),
                2 => base + PAGE_SIZE + 64 * u.choose_index(paths.len()).unwrap_or(0) as u64,
                3 => base + u.choose_index(3 * PAGE_SIZE as usize).unwrap_or(0) as u64,
                _ => u64::arbitrary(&mut u).unwrap_or(0),
            };
            *a = xlen.truncate(*a);
        }
        let req = SyscallRequest {
            nr,
            args,
            pc: base,
            cycle: 1000,
            instret: 1000,
            xlen,
        };
        os.syscall(&req, &mut mem);
        assert!(mem.used_bytes() <= LIMIT, "{} bytes held", mem.used_bytes());
    }
    let _ = os.sync();
    let escaped: Vec<_> = std::fs::read_dir(&outside)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != "secret")
        .collect();
    assert!(
        escaped.is_empty(),
        "the guest wrote outside its mount: {escaped:?}"
    );
    assert_eq!(std::fs::read(outside.join("secret")).unwrap(), b"secret");
}

/// A mount directory (with a file, and a symlink `out` to a directory
/// outside it) and that outside directory, made once per process.
fn scratch_dirs() -> (PathBuf, PathBuf) {
    static DIRS: std::sync::OnceLock<(PathBuf, PathBuf)> = std::sync::OnceLock::new();
    DIRS.get_or_init(|| {
        let root = crate::tempdir("fuzz-syscalls");
        let (jail, outside) = (root.join("jail"), root.join("outside"));
        std::fs::create_dir_all(&jail).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(jail.join("file"), b"file in the mount").unwrap();
        std::fs::write(outside.join("secret"), b"secret").unwrap();
        std::os::unix::fs::symlink(&outside, jail.join("out")).unwrap();
        (jail, outside)
    })
    .clone()
}

/// DWARF inputs: a bundled guest whose `.debug_*` and `.eh_frame`
/// sections are mutated by the input, given to the source map, the
/// symbolizer and the CFI unwinder at every pc the guest executes early on
/// and at arbitrary pcs.
pub fn dwarf(data: &[u8]) {
    use object::{Object, ObjectSection};
    let mut u = Unstructured::new(data);
    let arch = *pick(&mut u, &["rv64", "rv32"]);
    let name = *pick(&mut u, &["fib", "debuggee", "prof", "vars"]);
    let mut bytes = guest_bytes(arch, name);
    let ranges: Vec<(usize, usize)> = {
        let file = object::File::parse(&*bytes).unwrap();
        file.sections()
            .filter(|s| {
                let n = s.name().unwrap_or("");
                n.starts_with(".debug_") || n == ".eh_frame"
            })
            .filter_map(|s| s.file_range())
            .map(|(o, l)| (o as usize, l as usize))
            .filter(|&(_, l)| l > 0)
            .collect()
    };
    while !u.is_empty() {
        let (off, len) = *pick(&mut u, &ranges);
        let at = off + u.choose_index(len).unwrap_or(0);
        bytes[at] = u8::arbitrary(&mut u).unwrap_or(0);
    }
    let Ok(program) = Program::parse(&bytes) else {
        return;
    };
    let program = Arc::new(program);
    let symbols = zkdbg_symbols::Symbols::new(Arc::from(bytes));
    let (source, unwinder) = (symbols.source(), symbols.unwinder());
    let mut sym = zkdbg_symbols::Symbolizer::new(program.clone(), source.clone());
    let Ok(mut m) = Machine::new(program.clone(), Config::default()) else {
        return;
    };
    let mut os = ZeroOs::new(&program, OsConfig::default());
    for step in 0..64 {
        let pc = m.cpu.pc;
        let _ = source.frames(pc);
        let _ = sym.chain_of(pc);
        let _ = unwinder.backtrace(pc, &m.cpu.x, &m.mem);
        // Variables of every frame (locations, types and values read from
        // the corrupted DWARF), and `print` of what the guests name.
        for (i, f) in unwinder.frames(pc, &m.cpu.x, &m.mem).iter().enumerate() {
            let state = zkdbg_symbols::FrameState {
                pc: f.pc,
                lookup: if i == 0 { f.pc } else { f.pc.wrapping_sub(1) },
                regs: &f.regs,
                valid: f.valid,
                cfa: f.cfa,
                mem: &m.mem,
            };
            for depth in 0..2 {
                let _ = source.variables(&state, depth);
            }
            for e in [
                "s->corners[2]",
                "*s",
                "tri",
                "shapes[1].name",
                "&counter",
                "{struct shape} $sp",
                "squares[7]",
            ] {
                let _ = source.print(&state, 0, e);
            }
        }
        if m.run(&mut os, &mut (), 1 + step * 37).is_final() {
            break;
        }
    }
    for _ in 0..16 {
        let pc = u64::arbitrary(&mut u).unwrap_or(0);
        let _ = source.frames(pc);
        let _ = sym.chain_of(pc);
        let _ = unwinder.backtrace(pc, &m.cpu.x, &m.mem);
    }
    let (lo, hi) = m.mem.code_range();
    let _ = source.line_rows(lo, hi);
}

/// GDB packets into the stub's target over a loopback session: packets
/// built from the commands the stub knows with arbitrary arguments (valid
/// checksums, so they are parsed), raw bytes, bad checksums and
/// interrupts. The session may end; the stub must not panic.
pub fn gdb(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let arch = *pick(&mut u, &["rv64", "rv32"]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut packets: Vec<Vec<u8>> = Vec::new();
    let edges = [
        0u64,
        1,
        2,
        4,
        8,
        0x7fff_ffff,
        0xffff_ffff,
        0x8000_0000,
        0x8000_0004,
        0x8000_1000,
        u64::MAX,
        u64::MAX - 1,
        1 << 63,
        0x1000,
        0xfff,
    ];
    let monitor = [
        "help",
        "cycles",
        "syscalls",
        "syscalls 999999999999",
        "syscalls x",
        "profile a.svg",
        "profile ../x.svg",
        "profile /etc/x",
        "catch",
        "catch ecall",
        "catch syscall write 64",
        "catch syscall nosuch",
        "catch clear",
        "reset",
        "",
    ];
    while !u.is_empty() && packets.len() < 40 {
        let num = |u: &mut Unstructured| -> String {
            let v = if u.ratio(1, 2).unwrap_or(true) {
                *pick(u, &edges)
            } else {
                u64::arbitrary(u).unwrap_or(0)
            };
            format!("{v:x}")
        };
        let body = match u.choose_index(20).unwrap_or(0) {
            0 => format!("m{},{}", num(&mut u), num(&mut u)),
            1 => format!("M{},{}:{}", num(&mut u), num(&mut u), num(&mut u)),
            2 => "g".to_string(),
            3 => format!("G{}", num(&mut u).repeat(u.choose_index(70).unwrap_or(0))),
            4 => format!("p{}", num(&mut u)),
            5 => format!("P{}={}", num(&mut u), num(&mut u)),
            6 => format!(
                "Z{},{},{}",
                u.choose_index(5).unwrap_or(0),
                num(&mut u),
                num(&mut u)
            ),
            7 => format!(
                "z{},{},{}",
                u.choose_index(5).unwrap_or(0),
                num(&mut u),
                num(&mut u)
            ),
            8 => "vCont;s".to_string(),
            9 => "vCont;c".to_string(),
            10 => format!("vCont;r{},{}", num(&mut u), num(&mut u)),
            11 => format!(
                "qXfer:features:read:target.xml:{},{}",
                num(&mut u),
                num(&mut u)
            ),
            12 => {
                let cmd = pick(&mut u, &monitor);
                let hex: String = cmd.bytes().map(|b| format!("{b:02x}")).collect();
                format!("qRcmd,{hex}")
            }
            13 => format!("QCatchSyscalls:1;{};{}", num(&mut u), num(&mut u)),
            14 => "QCatchSyscalls:0".to_string(),
            15 => "?".to_string(),
            16 => "bc".to_string(),
            17 => "bs".to_string(),
            18 => "s".to_string(),
            _ => {
                // anything at all
                let n = u.choose_index(64).unwrap_or(0);
                (0..n)
                    .map(|_| u8::arbitrary(&mut u).unwrap_or(b'x') as char)
                    .collect()
            }
        };
        let body = body.into_bytes();
        let sum = body.iter().fold(0u8, |a, &b| a.wrapping_add(b));
        let mut p = vec![b'$'];
        p.extend_from_slice(&body);
        let sum = if u.ratio(1, 64).unwrap_or(false) {
            sum.wrapping_add(1)
        } else {
            sum
        };
        p.extend_from_slice(format!("#{sum:02x}").as_bytes());
        if u.ratio(1, 64).unwrap_or(false) {
            p.push(0x03); // Ctrl-C
        }
        packets.push(p);
    }
    let client = std::thread::spawn(move || {
        let Ok(mut s) = std::net::TcpStream::connect(addr) else {
            return;
        };
        let _ = s.set_read_timeout(Some(std::time::Duration::from_millis(20)));
        let mut buf = [0u8; 8192];
        for p in packets {
            if s.write_all(&p).is_err() {
                return;
            }
            if let Ok(0) = s.read(&mut buf) {
                return;
            }
            let _ = s.write_all(b"+");
        }
    });
    let (stream, _) = listener.accept().unwrap();
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(500)));
    let guest = load_guest(arch, "fib");
    let mut dbg = zkdbg::core::Debugger::new(guest, 16 << 20);
    // `monitor profile a.svg` writes there, not into the working tree.
    let out = std::env::temp_dir().join(format!("zkdbg-fuzz-gdb-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&out);
    dbg.set_output_dir(out);
    let _r = zkdbg::gdb::serve_client(dbg, stream);
    if std::env::var_os("FUZZ_DEBUG").is_some() {
        eprintln!("gdb session: {_r:?}");
    }
    client.join().unwrap();
}

fn load_guest(arch: &str, name: &str) -> zkdbg::guest::Guest {
    let mut args = zkdbg::guest::GuestOptions::new(crate::guest(arch, name));
    args.max_cycles = Some(5_000_000);
    zkdbg::guest::Guest::load(&args, Output::Capture).unwrap()
}

/// One instruction at a time against QEMU: register-only instructions
/// (RV32/RV64 I, M, and compressed; arbitrary encodings within those major
/// opcodes, so illegal ones too) after random register values, patched
/// over a bundled guest's entry point, run in lockstep with qemu-user
/// until the illegal instruction that ends them.
pub fn isa(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let arch = *pick(&mut u, &["rv64", "rv32"]);
    let mut code: Vec<u8> = Vec::new();
    // x1..x31 from lui+addi pairs (sp too: the code never touches memory).
    for r in 1..32u32 {
        let v = u32::arbitrary(&mut u).unwrap_or(r.wrapping_mul(0x9e37_79b9));
        let (hi, lo) = ((v.wrapping_add(0x800)) >> 12, v & 0xfff);
        code.extend_from_slice(&((hi << 12) | (r << 7) | 0x37).to_le_bytes());
        code.extend_from_slice(&((lo << 20) | (r << 15) | (r << 7) | 0x13).to_le_bytes());
    }
    let rv64 = arch == "rv64";
    let mut n = 0;
    while !u.is_empty() && n < 200 {
        n += 1;
        if u.ratio(1, 4).unwrap_or(false) {
            // A compressed ALU instruction (quadrants 1 and 2, no jumps,
            // branches, loads or stores).
            let w = u16::arbitrary(&mut u).unwrap_or(0);
            let funct3 = w >> 13;
            let ok = match w & 3 {
                1 => matches!(funct3, 0 | 2 | 3 | 4) || (funct3 == 1 && rv64),
                2 => funct3 == 0 || (funct3 == 4 && (w >> 2) & 0x1f != 0),
                _ => false,
            };
            if ok && w != 0 {
                code.extend_from_slice(&w.to_le_bytes());
            }
        } else {
            let opcodes: &[u32] = if rv64 {
                &[0x33, 0x13, 0x37, 0x17, 0x3b, 0x1b]
            } else {
                &[0x33, 0x13, 0x37, 0x17]
            };
            let op = *pick(&mut u, opcodes);
            let w = u32::arbitrary(&mut u).unwrap_or(0);
            code.extend_from_slice(&((w & !0x7f) | op).to_le_bytes());
        }
    }
    code.extend_from_slice(&[0, 0, 0, 0]); // illegal: both stop here
    let mut bytes = guest_bytes(arch, "fault-illegal");
    let entry_off = entry_file_offset(&bytes);
    bytes[entry_off..entry_off + code.len()].copy_from_slice(&code);
    let dir = crate::tempdir(&format!("fuzz-isa-{:?}", std::thread::current().id()));
    let path = dir.join(format!("isa-{arch}.elf"));
    std::fs::write(&path, &bytes).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let compared = crate::lockstep::lockstep(arch, &path, b"");
    assert!(compared >= 62, "only {compared} instructions compared");
}

/// The compiled tier against the interpreter on random code: a loop run
/// 100 times (hot enough to compile) whose body is random register
/// instructions (RV32/RV64 I and M, valid encodings), loads and stores
/// in the guest's data (misaligned ones too), rarely a store into the
/// code ahead (read-only here: a fault), and forward branches
/// and jumps; patched over a bundled guest's entry point. Both engines
/// must end with the same stop, pc, counters, registers and stack bytes.
pub fn engines(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let arch = *pick(&mut u, &["rv64", "rv32"]);
    let rv64 = arch == "rv64";
    let mut code: Vec<u32> = Vec::new();
    // x1..x31 but sp (x2) and the loop counter (x30) from lui+addi pairs.
    // Their values come from a seed (not one input byte per bit), so short
    // inputs still leave bytes for the loop body.
    let mut seed = u64::arbitrary(&mut u).unwrap_or(0);
    for r in (1..32u32).filter(|&r| r != 2 && r != 30) {
        seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        // Small values half the time: shifts, divisors and compares then
        // meet their edge cases (0, 1, -1, equal operands).
        let v = if z & 1 == 0 {
            (z >> 32) as u32
        } else {
            [0, 1, u32::MAX, 0x8000_0000, 31, 64][(z >> 40) as usize % 6]
        };
        let (hi, lo) = ((v.wrapping_add(0x800)) >> 12, v & 0xfff);
        code.push((hi << 12) | (r << 7) | 0x37);
        code.push((lo << 20) | (r << 15) | (r << 7) | 0x13);
    }
    // sp = 0x80003800, inside the guest's writable segment (the loads
    // and stores reach sp - 2055 .. sp - 1).
    code.push((0x80004 << 12) | (2 << 7) | 0x37); // lui sp, 0x80004
    code.push((0x800 << 20) | (2 << 15) | (2 << 7) | 0x13); // addi sp, sp, -2048
    if rv64 {
        code.push((32 << 20) | (2 << 15) | (1 << 12) | (2 << 7) | 0x13); // slli sp, sp, 32
        code.push((32 << 20) | (2 << 15) | (5 << 12) | (2 << 7) | 0x13); // srli sp, sp, 32
    }
    // sw/sd-style S-type: `f3` width, rs2 stored at off(rs1).
    let stype = |off: u32, rs1: u32, rs2: u32, f3: u32| {
        ((off >> 5 & 0x7f) << 25)
            | (rs2 << 20)
            | (rs1 << 15)
            | (f3 << 12)
            | ((off & 0x1f) << 7)
            | 0x23
    };
    // The 72 bytes under sp hold register values: loads see signs.
    for i in 0..18u32 {
        let off = (-4 - 4 * i as i32) as u32 & 0xfff;
        code.push(stype(off, 2, 3 + i, 2)); // sw x(3+i), off(sp)
    }
    code.push((100 << 20) | (30 << 7) | 0x13); // addi x30, x0, 100
    let body = code.len();
    let reg = |u: &mut Unstructured| {
        let r = u32::arbitrary(u).unwrap_or(5) % 32;
        if r == 2 || r == 30 {
            5
        } else {
            r
        }
    };
    let btype = |off: i32, rs1: u32, rs2: u32, f3: u32| {
        let o = off as u32;
        ((o >> 12 & 1) << 31)
            | ((o >> 5 & 0x3f) << 25)
            | (rs2 << 20)
            | (rs1 << 15)
            | (f3 << 12)
            | ((o >> 1 & 0xf) << 8)
            | ((o >> 11 & 1) << 7)
            | 0x63
    };
    // An offset from sp in -8 .. -71, or rarely down to -2055 (12 bits).
    let near_sp =
        |w: u32| (-8 - (w & if w >> 29 != 0 { 0x3f } else { 0x7ff }) as i32) as u32 & 0xfff;
    let mut n = 0;
    while !u.is_empty() && n < 60 {
        n += 1;
        let (rd, rs1, rs2) = (reg(&mut u), reg(&mut u), reg(&mut u));
        let w = u32::arbitrary(&mut u).unwrap_or(0);
        match u8::arbitrary(&mut u).unwrap_or(0) % 16 {
            0..=2 => {
                // A load at sp - 8 .. sp - 71 (or further, rarely).
                let sizes: &[u32] = if rv64 {
                    &[0, 1, 2, 3, 4, 5, 6]
                } else {
                    &[0, 1, 2, 4, 5]
                };
                let f3 = sizes[(w as usize >> 12) % sizes.len()];
                code.push((near_sp(w) << 20) | (2 << 15) | (f3 << 12) | (rd << 7) | 0x03);
            }
            3..=4 => {
                let f3 = (w >> 12) % if rv64 { 4 } else { 3 };
                code.push(stype(near_sp(w), 2, rs2, f3));
            }
            5 if w % 8 != 0 => {}
            5 => {
                // Rarely: auipc x29, 0; sw rs2, off(x29) into the code ahead; maybe fence.i.
                code.push((29 << 7) | 0x17);
                code.push(stype(8 + 4 * (w % 48), 29, rs2, 2));
                if w & 0x8000_0000 != 0 {
                    code.push(0x0000_100f);
                }
            }
            6 => {
                // A forward branch over the next instruction.
                code.push(btype(8, rs1, rs2, [0, 1, 4, 5, 6, 7][(w % 6) as usize]));
            }
            7 => {
                // jal rd, +8 (x0 or a link register).
                let rd = [0, 1, 5][(w % 3) as usize];
                code.push((4 << 21) | (rd << 7) | 0x6f);
            }
            _ => {
                // A register instruction with a valid encoding.
                let f3 = (w >> 12) & 7;
                let op: &[u32] = if rv64 {
                    &[0x33, 0x13, 0x3b, 0x1b, 0x37, 0x17]
                } else {
                    &[0x33, 0x13, 0x37, 0x17]
                };
                let op = op[(w >> 28) as usize % op.len()];
                let shamt = if rv64 { 63 } else { 31 };
                let word = match op {
                    0x33 | 0x3b => {
                        let f7 = [0u32, 0x20, 0x01][(w >> 20) as usize % 3];
                        let f3 = match (op, f7) {
                            (0x3b, 0x01) => [0, 4, 5, 6, 7][f3 as usize % 5],
                            (_, 0x20) => [0, 5][f3 as usize % 2],
                            (0x3b, _) => [0, 1, 5][f3 as usize % 3],
                            _ => f3,
                        };
                        (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op
                    }
                    0x13 | 0x1b => {
                        let f3 = if op == 0x1b {
                            [0, 1, 5][f3 as usize % 3]
                        } else {
                            f3
                        };
                        let imm = match f3 {
                            1 | 5 => {
                                let sh = if op == 0x1b { 31 } else { shamt };
                                let arith = if f3 == 5 && w & 1 != 0 { 0x400 } else { 0 };
                                ((w >> 20) & sh) | arith
                            }
                            _ => w >> 20,
                        };
                        (imm << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op
                    }
                    _ => (w & 0xffff_f000) | (rd << 7) | op,
                };
                code.push(word);
            }
        }
    }
    code.push((0xfff << 20) | (30 << 15) | (30 << 7) | 0x13); // addi x30, x30, -1
    let back = -(4 * (code.len() - body) as i32);
    code.push(btype(back, 30, 0, 1)); // bne x30, x0, body
    code.push(0); // illegal: the end
    let mut bytes = guest_bytes(arch, "fault-illegal");
    let entry_off = entry_file_offset(&bytes);
    let raw: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    bytes[entry_off..entry_off + raw.len()].copy_from_slice(&raw);
    let dir = crate::tempdir(&format!("fuzz-engines-{:?}", std::thread::current().id()));
    let path = dir.join(format!("engines-{arch}.elf"));
    std::fs::write(&path, &bytes).unwrap();
    let run = |engine| {
        let mut args = zkdbg::guest::GuestOptions::new(&path);
        args.max_cycles = Some(200_000);
        args.engine = engine;
        // The loop runs 100 times: compile it early.
        args.jit_threshold = 8;
        let mut g = zkdbg::guest::Guest::load(&args, Output::Capture).unwrap();
        let stop = g.machine.run(&mut g.os, &mut (), u64::MAX);
        let sp = g.machine.cpu.x[2];
        let stack = g.machine.mem.read_vec(sp.wrapping_sub(4096), 4096).ok();
        let code = g
            .machine
            .mem
            .read_vec(g.machine.program.entry, raw.len())
            .ok();
        (
            stop,
            g.machine.cpu.pc,
            g.machine.cpu.instret,
            g.machine.cpu.cycle,
            g.machine.cpu.x,
            stack,
            code,
        )
    };
    let interp = run(zkdbg_emulator::Engine::Interp);
    let jit = run(zkdbg_emulator::Engine::Jit);
    assert_eq!(
        interp, jit,
        "interpreter (left) and compiled tier (right) differ"
    );
}

/// The file offset of an ELF's entry point.
fn entry_file_offset(b: &[u8]) -> usize {
    use object::{Object, ObjectSegment};
    let f = object::File::parse(b).unwrap();
    let entry = f.entry();
    f.segments()
        .find_map(|s| {
            let (off, size) = s.file_range();
            (entry >= s.address() && entry < s.address() + size)
                .then(|| (off + entry - s.address()) as usize)
        })
        .expect("entry in a segment")
}

/// A small deterministic generator (xorshift64*) for campaign inputs.
pub struct Inputs(u64);

impl Inputs {
    /// Inputs from `seed`.
    pub fn new(seed: u64) -> Inputs {
        Inputs(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next input: 1 to `max` bytes.
    pub fn next_input(&mut self, max: usize) -> Vec<u8> {
        let len = 1 + (self.next() as usize % max);
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// The directory of saved crashers of `target`.
pub fn regressions(target: &str) -> PathBuf {
    crate::repo().join("tests/fuzz/regressions").join(target)
}

/// Runs `target` on every saved crasher, then on inputs from `seed` until
/// `count` inputs have run or `seconds` have passed; returns how many ran.
/// A panicking input is saved under [`regressions`] first. The reference
/// tools a target runs (qemu-user for `isa`) are checked before any
/// input: a missing tool fails the campaign without saving a crasher.
pub fn campaign(name: &str, target: Target, seed: u64, count: u64, seconds: f64) -> u64 {
    if name == "isa" {
        crate::qemu("rv64");
        crate::qemu("rv32");
    }
    let dir = regressions(name);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            let input = std::fs::read(&f).unwrap();
            run_one(name, target, &input, &dir);
        }
    }
    let start = std::time::Instant::now();
    let mut inputs = Inputs::new(seed);
    let mut ran = 0;
    while ran < count && start.elapsed().as_secs_f64() < seconds {
        let input = inputs.next_input(512);
        run_one(name, target, &input, &dir);
        ran += 1;
    }
    ran
}

fn run_one(name: &str, target: Target, input: &[u8], dir: &Path) {
    let r = std::panic::catch_unwind(|| target(input));
    if let Err(e) = r {
        std::fs::create_dir_all(dir).unwrap();
        let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        });
        let file = dir.join(format!("{hash:016x}"));
        std::fs::write(&file, input).unwrap();
        eprintln!("fuzz {name}: crasher saved to {}", file.display());
        std::panic::resume_unwind(e);
    }
}
