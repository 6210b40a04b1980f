//! ZisK's pieces one by one, against facts of its source
//! (0xPolygonHermez/zisk @6182c8be9) and reference implementations: the
//! step count per instruction form, the boot's data-copy steps (recounted
//! over ZisK's own float library ELF), the input region's formats, the
//! CSR file and marchid, KECCAKF/SHA256F, the DMA calls fused with the
//! instruction after them, and the calls not supported.

use sha2::Digest;
use zkdbg_emulator::{decode, Cpu, CustomResult, Insn, Memory, Op, Xlen};
use zkdbg_platforms::zisk::{self, Layout, ZiskDevice};

fn d(word: u32) -> Insn {
    decode(word, Xlen::X64)
}

/// `csrrs rd, csr, rs1`.
fn csrrs(rd: u32, csr: u32, rs1: u32) -> u32 {
    0x73 | rd << 7 | 2 << 12 | rs1 << 15 | csr << 20
}

/// `addi rd, rs1, imm` and `add rd, rs1, rs2`.
fn addi(rd: u32, rs1: u32, imm: u32) -> u32 {
    0x13 | rd << 7 | rs1 << 15 | imm << 20
}
fn add(rd: u32, rs1: u32, rs2: u32) -> u32 {
    0x33 | rd << 7 | rs1 << 15 | rs2 << 20
}

#[test]
fn steps_per_instruction_follow_the_transpiler() {
    let s = |w: u32| zisk::steps(&d(w));
    assert_eq!(s(add(10, 11, 12)), 1);
    assert_eq!(s(0x0000_8067), 1, "ret: jalr with offset 0");
    assert_eq!(
        s(0x0021_00e7),
        2,
        "jalr ra, 2(sp): offset not a multiple of 4"
    );
    // amoadd.d a0, a1, (a2): rd apart from the sources: load, op, store.
    assert_eq!(s(0x00b6_352f), 3);
    // amoadd.d a1, a1, (a2): rd is rs2: one more step through a temporary.
    assert_eq!(s(0x00b6_35af), 4);
    // amoswap.d a0, a1, (a2) and sc.d a0 / sc.d x0.
    assert_eq!(s(0x08b6_352f), 2);
    assert_eq!(s(0x18b6_352f), 2);
    assert_eq!(s(0x18b6_302f), 1);
    // csrr a0, marchid (rs1 = x0): one copy; csrs x0, 0x800, a0: the
    // precompile; csrrs a0, mstatus, a1: read then or.
    assert_eq!(s(csrrs(10, 0xF12, 0)), 1);
    assert_eq!(s(csrrs(0, 0x800, 10)), 1);
    assert_eq!(s(csrrs(10, 0x300, 11)), 2);
    assert_eq!(s(csrrs(10, 0x300, 10)), 3);
}

#[test]
fn boot_steps_count_zisks_float_library_as_its_rom_copies_it() {
    let elf = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../guests/bin/zisk/vendor/ziskfloat.elf"),
    )
    .unwrap();
    // .rodata (0x3e0 bytes: 124 steps), .data (8: 1), .sbss (8: 1).
    assert_eq!(zisk::init_steps(&elf).unwrap(), 0x3e0 / 8 + 1 + 1);
    assert_eq!(zisk::init_steps(&elf).unwrap(), zisk::FLOAT_LIB_INIT_STEPS);
    assert!(zisk::init_steps(b"not an elf").is_err());
}

#[test]
fn input_regions_have_each_layouts_format() {
    let inputs = vec![b"abc".to_vec(), vec![7; 9]];
    let cur = Layout::Current.input_region(&inputs).unwrap();
    let mut want = vec![0u8; 8];
    want.extend(3u64.to_le_bytes());
    want.extend(b"abc\0\0\0\0\0");
    want.extend(9u64.to_le_bytes());
    want.extend([7; 9]);
    want.extend([0; 7]);
    assert_eq!(cur, want);
    let v08 = Layout::V0_8.input_region(&inputs[..1]).unwrap();
    assert_eq!(
        &v08[..16],
        &[0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(&v08[16..], b"abc");
    let v04 = Layout::V0_4.input_region(&inputs[..1]).unwrap();
    assert_eq!(&v04[..8], &3u64.to_le_bytes());
    assert!(Layout::V0_4.input_region(&inputs).is_err());
    assert_eq!(Layout::Current.input_addr(), 0x4000_0000);
    assert_eq!(Layout::V0_4.input_addr(), 0x9000_0000);
    for n in Layout::NAMES {
        assert_eq!(Layout::from_name(n).unwrap().name(), n);
    }
}

struct Zk {
    d: ZiskDevice,
    cpu: Cpu,
    mem: Memory,
}

const CODE: u64 = 0x8000_0000;
const DATA: u64 = 0xa003_0000;

impl Zk {
    fn new(code: &[u32]) -> Zk {
        let mut mem = Memory::new(Xlen::X64, 64 << 20);
        mem.map(CODE, 0x1000).unwrap();
        let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
        mem.write_user(CODE, &bytes).unwrap();
        let elf = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../guests/bin/zisk/zk-hash.elf"),
        )
        .unwrap();
        let d =
            ZiskDevice::install(Layout::Current, &[b"in".to_vec()], &elf, [], &mut mem).unwrap();
        Zk {
            d,
            cpu: Cpu::new(Xlen::X64, CODE),
            mem,
        }
    }

    fn serve(&mut self) -> CustomResult {
        let w = self.mem.read_vec(CODE, 4).unwrap();
        let insn = d(u32::from_le_bytes(w.try_into().unwrap()));
        self.d.serve(&insn, CODE, &mut self.cpu, &mut self.mem)
    }
}

#[test]
fn memory_csrs_and_marchid() {
    let mut z = Zk::new(&[0]);
    // The input region: read-only, the free-input word then the entry.
    assert_eq!(
        z.mem.read_vec(0x4000_0008, 10).unwrap(),
        b"\x02\0\0\0\0\0\0\0in"
    );
    assert!(z.mem.write_user(0x4000_0000, b"x").is_err());
    // RAM is there, zero until written; the output region records writes.
    assert_eq!(z.mem.read_vec(0xbfff_fff0, 4).unwrap(), [0; 4]);
    assert!(z.d.output(&z.mem).is_empty());
    z.mem
        .write_user(zisk::OUTPUT_ADDR + 4, &[1, 2, 3, 4])
        .unwrap();
    assert_eq!(z.d.output(&z.mem), [0, 0, 0, 0, 1, 2, 3, 4]);
    // The UART keeps 1-byte stores only.
    z.mem.write_user(zisk::UART_ADDR, b"h").unwrap();
    z.mem.write_user(zisk::UART_ADDR, b"ij").unwrap();
    assert_eq!(z.mem.take_captured(), b"h");
    // marchid reads ZisK's id; other CSRs are memory words.
    assert_eq!(z.d.csr(Op::Csrrs, zisk::MARCHID, 0, false), 0x0FFF_EEEE);
    assert_eq!(z.d.csr(Op::Csrrw, 0x340, 5, true), 0);
    assert_eq!(z.d.csr(Op::Csrrs, 0x340, 2, true), 5);
    assert_eq!(z.d.csr(Op::Csrrc, 0x340, 1, true), 7);
    assert_eq!(z.d.csr(Op::Csrrs, 0x340, 0, false), 6);
}

#[test]
fn keccakf_and_sha256f_match_the_reference_permutations() {
    let mut z = Zk::new(&[csrrs(0, 0x800, 10)]);
    let lanes: Vec<u64> = (0..25u64).map(|i| i * 0x0101_0101).collect();
    let bytes: Vec<u8> = lanes.iter().flat_map(|l| l.to_le_bytes()).collect();
    z.mem.write_user(DATA, &bytes).unwrap();
    z.cpu.x[10] = DATA;
    assert!(matches!(
        z.serve(),
        CustomResult::Done {
            name: "KECCAKF",
            ..
        }
    ));
    let mut want: [u64; 25] = lanes.try_into().unwrap();
    keccak::f1600(&mut want);
    let got = z.mem.read_vec(DATA, 200).unwrap();
    assert_eq!(
        got,
        want.iter()
            .flat_map(|l| l.to_le_bytes())
            .collect::<Vec<u8>>()
    );

    // SHA256F: the SHA-256 of "abc" is one compression of its padded
    // block from the initial state.
    let mut z = Zk::new(&[csrrs(0, 0x805, 10)]);
    let iv: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut block = [0u8; 64];
    block[..3].copy_from_slice(b"abc");
    block[3] = 0x80;
    block[63] = 24;
    let (params, state, blk) = (DATA, DATA + 0x100, DATA + 0x200);
    z.mem
        .write_user(
            state,
            &iv.iter().flat_map(|w| w.to_le_bytes()).collect::<Vec<_>>(),
        )
        .unwrap();
    z.mem.write_user(blk, &block).unwrap();
    z.mem
        .write_user(params, &[state.to_le_bytes(), blk.to_le_bytes()].concat())
        .unwrap();
    z.cpu.x[10] = params;
    assert!(matches!(
        z.serve(),
        CustomResult::Done {
            name: "SHA256F",
            ..
        }
    ));
    let got = z.mem.read_vec(state, 32).unwrap();
    let digest: Vec<u8> = got
        .chunks(4)
        .flat_map(|w| w.iter().rev().copied().collect::<Vec<_>>())
        .collect();
    assert_eq!(digest, sha2::Sha256::digest(b"abc").to_vec());
}

#[test]
fn dma_calls_fuse_with_the_next_instruction() {
    // memcpy's `add` form: dst a0, src a1, count a2; rd x0; 2 steps.
    let mut z = Zk::new(&[csrrs(0, 0x813, 11), add(0, 10, 12)]);
    z.mem.write_user(DATA, b"hello").unwrap();
    z.cpu.x[10] = DATA + 0x100;
    z.cpu.x[11] = DATA;
    z.cpu.x[12] = 5;
    match z.serve() {
        CustomResult::Skip {
            name,
            skip,
            extra_cycles,
            ..
        } => {
            assert_eq!((name, skip, extra_cycles), ("DMA_MEMCPY", 4, 1));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(z.mem.read_vec(DATA + 0x100, 5).unwrap(), b"hello");

    // memcmp: the first byte difference, sign-extended, into rd.
    let mut z = Zk::new(&[csrrs(0, 0x814, 11), add(10, 10, 12)]);
    z.mem.write_user(DATA, b"abcd").unwrap();
    z.mem.write_user(DATA + 0x10, b"abzd").unwrap();
    z.cpu.x[10] = DATA;
    z.cpu.x[11] = DATA + 0x10;
    z.cpu.x[12] = 4;
    assert!(matches!(z.serve(), CustomResult::Skip { .. }));
    assert_eq!(z.cpu.x[10] as i64, i64::from(b'c') - i64::from(b'z'));

    // memset: `csrs 0x816, dst` + `addi x0, count_reg, fill`: 1 step.
    let mut z = Zk::new(&[csrrs(0, 0x816, 10), addi(0, 11, 0xab)]);
    z.cpu.x[10] = DATA;
    z.cpu.x[11] = 3;
    match z.serve() {
        CustomResult::Skip {
            skip, extra_cycles, ..
        } => assert_eq!((skip, extra_cycles), (4, 0)),
        other => panic!("{other:?}"),
    }
    assert_eq!(z.mem.read_vec(DATA, 4).unwrap(), [0xab, 0xab, 0xab, 0]);

    // Without the instruction the transpiler fuses: a clear fault.
    let mut z = Zk::new(&[csrrs(0, 0x813, 11), 0x0000_0037 | 5 << 7]);
    match z.serve() {
        CustomResult::Fault { message, .. } => {
            assert!(message.contains("must be followed"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // A huge count is refused before any host allocation.
    let mut z = Zk::new(&[csrrs(0, 0x816, 10), addi(0, 11, 0)]);
    z.cpu.x[10] = DATA;
    z.cpu.x[11] = u64::MAX;
    assert!(matches!(z.serve(), CustomResult::Fault { .. }));
}

#[test]
fn poseidon2_gives_pil2_proofmans_vector() {
    // Poseidon2 (Goldilocks, width 16) of 0..15: the expected output of
    // pil2-proofman v0.18.0's own test (`fields/src/poseidon2.rs`,
    // `test_poseidon2_16`), the crate ZisK's POSEIDON2 runs.
    let mut z = Zk::new(&[csrrs(0, 0x812, 10)]);
    put(&mut z, DATA, &(0..16).collect::<Vec<u64>>());
    z.cpu.x[10] = DATA;
    assert!(matches!(
        z.serve(),
        CustomResult::Done {
            name: "POSEIDON2",
            ..
        }
    ));
    assert_eq!(
        get(&z, DATA, 16),
        [
            9639188652563994454,
            12273372933164734616,
            2905147255612444119,
            17581461329934617288,
            14390794100096760072,
            5468485695976078057,
            2832370985856357627,
            1116111836864400812,
            14997632823506024332,
            3976503894892102369,
            14874978986912301676,
            12458748982184310703,
            103345454961107931,
            3354965064850558444,
            14413825288474057217,
            4214638127285300968
        ]
    );
    z.cpu.x[10] = DATA + 4;
    assert!(matches!(
        z.serve(),
        CustomResult::Fault { message, .. } if message.contains("8-byte aligned")
    ));
}

#[test]
fn call_names() {
    assert_eq!(zisk::call_name(0x300), None);
    assert!(zisk::call_names().contains(&"KECCAKF"));
}

#[test]
fn blake2b_round_twelve_times_gives_rfc_7693_blake2b_of_abc() {
    // BLAKE2b-512("abc") (RFC 7693 appendix A) by hand: the working vector
    // of its one compression, 12 BLAKE2B_ROUND calls with indices 0..11
    // (taken mod 10, as SIGMA repeats), then h ^= v[0..8] ^ v[8..16].
    let iv = [
        0x6a09e667f3bcc908u64,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    let mut h = iv;
    h[0] ^= 0x0101_0040;
    let mut v = [0u64; 16];
    v[..8].copy_from_slice(&h);
    v[8..].copy_from_slice(&iv);
    v[12] ^= 3; // t = 3 bytes
    v[14] = !v[14]; // the final block
    let mut m = [0u64; 16];
    m[0] = 0x636261;
    let mut z = Zk::new(&[csrrs(0, 0x819, 10)]);
    let (params, state, input) = (DATA, DATA + 0x100, DATA + 0x200);
    put(&mut z, state, &v);
    put(&mut z, input, &m);
    z.cpu.x[10] = params;
    for round in 0..12u64 {
        put(&mut z, params, &[round, state, input]);
        assert!(matches!(
            z.serve(),
            CustomResult::Done {
                name: "BLAKE2B_ROUND",
                ..
            }
        ));
    }
    let v = get(&z, state, 16);
    let digest: String = (0..8)
        .flat_map(|i| (h[i] ^ v[i] ^ v[i + 8]).to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        digest,
        "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1\
         7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
    );
    // A bad pointer in the parameter block is a fault, not a panic.
    put(&mut z, params, &[0, 0x10, input]);
    assert!(matches!(z.serve(), CustomResult::Fault { .. }));
}

/// Writes u64 limbs at `addr`.
fn put(z: &mut Zk, addr: u64, w: &[u64]) {
    let b: Vec<u8> = w.iter().flat_map(|x| x.to_le_bytes()).collect();
    z.mem.write_user(addr, &b).unwrap();
}

fn get(z: &Zk, addr: u64, n: usize) -> Vec<u64> {
    z.mem
        .read_vec(addr, 8 * n)
        .unwrap()
        .chunks(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

#[test]
fn big_integer_precompiles() {
    let max = [u64::MAX; 4];
    // ARITH256: (2^256-1)^2 + (2^256-1) = 2^512 - 2^256: dl = 0, dh = 2^256-1.
    let mut z = Zk::new(&[csrrs(0, 0x801, 10)]);
    let (a, b, c, dl, dh, p) = (
        DATA,
        DATA + 0x40,
        DATA + 0x80,
        DATA + 0xc0,
        DATA + 0x100,
        DATA + 0x200,
    );
    put(&mut z, a, &max);
    put(&mut z, b, &max);
    put(&mut z, c, &max);
    put(&mut z, p, &[a, b, c, dl, dh]);
    z.cpu.x[10] = p;
    assert!(matches!(
        z.serve(),
        CustomResult::Done {
            name: "ARITH256",
            ..
        }
    ));
    assert_eq!(get(&z, dl, 4), [0; 4]);
    assert_eq!(get(&z, dh, 4), max);
    // ARITH256_MOD on small numbers: (10^18 · 3 + 7) mod 1000003.
    let mut z = Zk::new(&[csrrs(0, 0x802, 10)]);
    let (m, d) = (DATA + 0x140, DATA + 0x180);
    put(&mut z, a, &[1_000_000_000_000_000_000, 0, 0, 0]);
    put(&mut z, b, &[3, 0, 0, 0]);
    put(&mut z, c, &[7, 0, 0, 0]);
    put(&mut z, m, &[1_000_003, 0, 0, 0]);
    put(&mut z, p, &[a, b, c, m, d]);
    z.cpu.x[10] = p;
    assert!(matches!(z.serve(), CustomResult::Done { .. }));
    let want = ((1_000_000_000_000_000_000u128 * 3 + 7) % 1_000_003) as u64;
    assert_eq!(get(&z, d, 4), [want, 0, 0, 0]);
    // A zero modulus is a clear fault.
    put(&mut z, m, &[0; 4]);
    match z.serve() {
        CustomResult::Fault { message, .. } => {
            assert!(message.contains("zero modulus"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // ADD256: (2^256-1) + 0 + 1 = 2^256: c = 0, carry 1 in rd.
    let mut z = Zk::new(&[csrrs(13, 0x811, 10)]);
    put(&mut z, a, &max);
    put(&mut z, b, &[0; 4]);
    put(&mut z, p, &[a, b, 1, c]);
    z.cpu.x[10] = p;
    assert!(matches!(
        z.serve(),
        CustomResult::Done { name: "ADD256", .. }
    ));
    assert_eq!(get(&z, c, 4), [0; 4]);
    assert_eq!(z.cpu.x[13], 1);
}

#[test]
fn curve_and_fp2_precompiles() {
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    let limbs = |be: &[u8]| -> Vec<u64> {
        be.rchunks(8)
            .map(|c| u64::from_be_bytes(c.try_into().unwrap()))
            .collect()
    };
    let point = |p: k256::AffinePoint| -> Vec<u64> {
        let e = p.to_encoded_point(false);
        [limbs(e.x().unwrap()), limbs(e.y().unwrap())].concat()
    };
    let g = k256::AffinePoint::GENERATOR;
    let g2 = (k256::ProjectivePoint::GENERATOR + k256::ProjectivePoint::GENERATOR).to_affine();
    let g3 = (k256::ProjectivePoint::GENERATOR * k256::Scalar::from(3u64)).to_affine();
    // SECP256K1_DBL: G doubled in place.
    let mut z = Zk::new(&[csrrs(0, 0x804, 10)]);
    put(&mut z, DATA, &point(g));
    z.cpu.x[10] = DATA;
    assert!(matches!(
        z.serve(),
        CustomResult::Done {
            name: "SECP256K1_DBL",
            ..
        }
    ));
    assert_eq!(get(&z, DATA, 8), point(g2));
    // SECP256K1_ADD: rs1 -> (p1, p2); p1 = 2G + G.
    let mut z = Zk::new(&[csrrs(0, 0x803, 10)]);
    let (p1, p2, params) = (DATA, DATA + 0x40, DATA + 0x80);
    put(&mut z, p1, &point(g2));
    put(&mut z, p2, &point(g));
    put(&mut z, params, &[p1, p2]);
    z.cpu.x[10] = params;
    assert!(matches!(z.serve(), CustomResult::Done { .. }));
    assert_eq!(get(&z, p1, 8), point(g3));
    // BN254_COMPLEX_MUL: (1 + 2i)(3 + 4i) = -5 + 10i in Fp2.
    let mut z = Zk::new(&[csrrs(0, 0x80A, 10)]);
    put(&mut z, p1, &[1, 0, 0, 0, 2, 0, 0, 0]);
    put(&mut z, p2, &[3, 0, 0, 0, 4, 0, 0, 0]);
    put(&mut z, params, &[p1, p2]);
    z.cpu.x[10] = params;
    assert!(matches!(
        z.serve(),
        CustomResult::Done {
            name: "BN254_COMPLEX_MUL",
            ..
        }
    ));
    // p - 5, BN254's p = 0x30644e72...d87cfd47.
    let p_minus_5 = [
        0x3c208c16d87cfd42,
        0x97816a916871ca8d,
        0xb85045b68181585d,
        0x30644e72e131a029,
    ];
    assert_eq!(
        get(&z, p1, 8),
        [p_minus_5.to_vec(), vec![10, 0, 0, 0]].concat()
    );
}

/// `csrrwi x0, csr, uimm` (FCALL's `csrwi`).
fn csrwi(csr: u32, uimm: u32) -> u32 {
    0x73 | 5 << 12 | uimm << 15 | csr << 20
}

impl Zk {
    fn exec(&mut self, word: u32) -> CustomResult {
        let insn = d(word);
        self.d.serve(&insn, CODE, &mut self.cpu, &mut self.mem)
    }

    /// FCALL_PARAMs (one word each by value), the FCALL, then every
    /// result by FCALL_GET.
    fn fcall(&mut self, id: u32, params: &[u64]) -> Result<Vec<u64>, String> {
        for p in params {
            self.cpu.x[10] = *p;
            assert!(matches!(
                self.exec(csrrs(0, 0x8F0, 10)),
                CustomResult::Done { .. }
            ));
        }
        match self.exec(csrwi(0x8C0 + (id >> 5), id & 31)) {
            CustomResult::Done { .. } => {}
            CustomResult::Fault { message, .. } => return Err(message),
            other => panic!("{other:?}"),
        }
        let mut out = Vec::new();
        while let CustomResult::Done { .. } = self.exec(csrrs(11, 0xFFE, 0)) {
            out.push(self.cpu.x[11]);
        }
        Ok(out)
    }
}

#[test]
fn free_input_calls_queue_parameters_run_and_return_results() {
    let mut z = Zk::new(&[]);
    // MSB_POS_256 of one number: its highest limb and bit.
    assert_eq!(z.fcall(17, &[1, 0, 0, 1 << 40, 0]).unwrap(), [2, 40]);
    // A count whose limbs overflow is refused (a fuzz finding: it wrapped).
    assert!(z.fcall(17, &[u64::MAX]).is_err());
    assert!(z.fcall(18, &[1 << 62, 1]).is_err());
    // A parameter block by address: FCALL_PARAM port 0x8F2 reads 4 words.
    put(&mut z, DATA, &[0, 5, 0, 0]);
    z.cpu.x[10] = 1;
    z.exec(csrrs(0, 0x8F0, 10));
    z.cpu.x[10] = DATA;
    assert!(matches!(
        z.exec(csrrs(0, 0x8F2, 10)),
        CustomResult::Done { .. }
    ));
    assert!(matches!(
        z.exec(csrwi(0x8C0, 17)),
        CustomResult::Done {
            name: "FCALL_MSB_POS_256",
            ..
        }
    ));
    z.exec(csrrs(11, 0xFFE, 0));
    assert_eq!(z.cpu.x[11], 1);
    z.exec(csrrs(11, 0xFFE, 0));
    assert_eq!(z.cpu.x[11], 2);
    // Reading past the results is a clear fault.
    match z.exec(csrrs(11, 0xFFE, 0)) {
        CustomResult::Fault { message, .. } => {
            assert!(message.contains("past the 2 results"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // UINT256_DIV: 1000 / 7.
    assert_eq!(
        z.fcall(19, &[1000, 0, 0, 0, 7, 0, 0, 0]).unwrap(),
        [142, 0, 0, 0, 6, 0, 0, 0]
    );
    // SECP256K1_FP_INV of 2: (p + 1) / 2.
    let half = [
        0xffff_ffff_7fff_fe18,
        u64::MAX,
        u64::MAX,
        0x7fff_ffff_ffff_ffff,
    ];
    assert_eq!(z.fcall(1, &[2, 0, 0, 0]).unwrap(), half);
    // UINT256_INV (mod 2^256) of 3: 3 · inv = 1; of 2: none.
    let inv3 = z.fcall(20, &[3, 0, 0, 0]).unwrap();
    assert_eq!(inv3[0], 1);
    assert_eq!(inv3[1].wrapping_mul(3), 1);
    assert_eq!(z.fcall(20, &[2, 0, 0, 0]).unwrap(), [0; 5]);
    // INPUT_READY: the input entry ("in", 8 + 8 + 2 bytes) is there.
    assert_eq!(z.fcall(23, &[0x4000_0011]).unwrap(), Vec::<u64>::new());
    let e = z.fcall(23, &[0x4000_1000]).unwrap_err();
    assert!(e.contains("input byte 0x40001000 required"), "{e}");
    // SECP256K1_FP_SQRT with ZisK's own fixtures (`fp_sqrt.rs` tests):
    // 0 -> [1, 0]; 1 with parity 1 -> 1, with parity 0 -> p - 1; 3 is no
    // square: [0, root of 3·3 = 9] = [0, 3 or p - 3].
    assert_eq!(z.fcall(3, &[0, 0, 0, 0, 0]).unwrap(), [1, 0, 0, 0, 0]);
    assert_eq!(z.fcall(3, &[1, 0, 0, 0, 1]).unwrap(), [1, 1, 0, 0, 0]);
    let p_minus_1 = [0xfffffffefffffc2e, u64::MAX, u64::MAX, u64::MAX];
    assert_eq!(
        z.fcall(3, &[1, 0, 0, 0, 0]).unwrap(),
        [vec![1], p_minus_1.to_vec()].concat()
    );
    let r = z.fcall(3, &[3, 0, 0, 0, 0]).unwrap();
    let p_minus_3 = [0xfffffffefffffc2c, u64::MAX, u64::MAX, u64::MAX];
    assert!(
        r == [0, 3, 0, 0, 0] || r == [vec![0], p_minus_3.to_vec()].concat(),
        "{r:?}"
    );
    // BLS12_381_FP_SQRT of 4: 2 or p - 2, flagged 1.
    let r = z.fcall(11, &[4, 0, 0, 0, 0, 0]).unwrap();
    assert_eq!((r.len(), r[0]), (7, 1));
    assert!(r[1] == 2 || r[1] == 0xb9feffffffffaaa9, "{r:?}");
    // BIN_DECOMP: 2 -> 2 bits "10"; 0 -> one bit "0"; bits of the
    // highest limb first.
    assert_eq!(z.fcall(16, &[1, 2]).unwrap(), [2, 1, 0]);
    assert_eq!(z.fcall(16, &[1, 0]).unwrap(), [1, 0]);
    let two_limbs = z.fcall(16, &[2, 1, 1]).unwrap();
    assert_eq!((two_limbs[0], two_limbs[1], two_limbs[65]), (65, 1, 1));
    // BIGINT_DIV: a = b (3 limbs) -> q = 1, r = 0, each padded to 4 limbs;
    // a 5-limb quotient pads to 8; by zero: a fault.
    let a = [0x16b12176aedd308e, 0x9d331c2b34766fc9, 0xb7f85b22001249e];
    let mut params = vec![3];
    params.extend(a);
    params.push(3);
    params.extend(a);
    assert_eq!(
        z.fcall(22, &params).unwrap(),
        [4, 1, 0, 0, 0, 4, 0, 0, 0, 0]
    );
    let q = z.fcall(22, &[5, 0, 0, 0, 0, 1, 1, 1]).unwrap();
    assert_eq!((q[0], q[5], q[9]), (8, 1, 4));
    assert!(z
        .fcall(22, &[1, 5, 1, 0])
        .unwrap_err()
        .contains("division by zero"));
    // FP2_INV: x · x^-1 = 1 in BN254's and BLS12-381's Fp2 (the product by
    // the Fp2 multiplication SP1's and ZisK's precompiles share); 0 faults.
    use zkdbg_platforms::field::{fp2_op, Field, FieldOp};
    for (id, field, n) in [(7, Field::Bn254, 4), (12, Field::Bls12381, 6)] {
        let mut x = vec![0u64; 2 * n];
        x[0] = 5;
        x[n] = 3;
        x[n + 1] = 0x1234;
        let inv = z.fcall(id, &x).unwrap();
        let mut one = vec![0u64; 2 * n];
        one[0] = 1;
        assert_eq!(fp2_op(field, FieldOp::Mul, &x, &inv), one, "{field:?}");
        assert!(z
            .fcall(id, &vec![0; 2 * n])
            .unwrap_err()
            .contains("inverse of zero"));
    }
    // ECDSA_VERIFY hints (ZisK's own fixtures in `ecdsa.rs`): pk = (0, 0)
    // and z = r = s = 1 give G; pk = G, z = 2, r = 3, s = 1 give 5G (k256);
    // a pk off the curve is refused; s = 0 has no inverse.
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    let limbs = |p: k256::ProjectivePoint| -> Vec<u64> {
        let e = p.to_affine().to_encoded_point(false);
        let w = |b: &[u8]| -> Vec<u64> {
            (0..4)
                .map(|i| u64::from_be_bytes(b[24 - 8 * i..32 - 8 * i].try_into().unwrap()))
                .collect()
        };
        [w(e.x().unwrap()), w(e.y().unwrap())].concat()
    };
    let g = limbs(k256::ProjectivePoint::GENERATOR);
    let params = |pk: &[u64], z: u64, r: u64, s: u64| -> Vec<u64> {
        [pk, &[z, 0, 0, 0], &[r, 0, 0, 0], &[s, 0, 0, 0]].concat()
    };
    assert_eq!(z.fcall(4, &params(&[0; 8], 1, 1, 1)).unwrap(), g);
    let five_g = limbs(k256::ProjectivePoint::GENERATOR * k256::Scalar::from(5u64));
    assert_eq!(z.fcall(4, &params(&g, 2, 3, 1)).unwrap(), five_g);
    let e = z
        .fcall(4, &params(&[1, 2, 3, 4, 5, 6, 7, 8], 1, 1, 1))
        .unwrap_err();
    assert!(e.contains("not a point of the curve"), "{e}");
    assert!(z
        .fcall(4, &params(&g, 1, 1, 0))
        .unwrap_err()
        .contains("no inverse"));
    // secp256r1: (0, 0), z = r = s = 1: P-256's G.
    let g_r1 = z.fcall(5, &params(&[0; 8], 1, 1, 1)).unwrap();
    assert_eq!(g_r1[3], 0x6b17d1f2e12c4247);
    // TWIST line coefficients: λ·(x2 - x1) = y2 - y1 and μ = y1 - λ·x1
    // (add); λ·2y = 3x² (dbl); in BN254's and BLS12-381's Fp2. Any Fp2
    // values serve (the formulas do not need curve points).
    for (add, dbl, field, e) in [(8, 9, Field::Bn254, 8), (14, 15, Field::Bls12381, 12)] {
        let el = |k: u64| -> Vec<u64> { (0..e as u64).map(|i| k * 1000 + i + 1).collect() };
        let (x1, y1, x2, y2) = (el(1), el(2), el(3), el(4));
        let r = z
            .fcall(
                add,
                &[x1.clone(), y1.clone(), x2.clone(), y2.clone()].concat(),
            )
            .unwrap();
        let (lambda, mu) = (&r[..e], &r[e..]);
        assert_eq!(
            fp2_op(
                field,
                FieldOp::Mul,
                lambda,
                &fp2_op(field, FieldOp::Sub, &x2, &x1)
            ),
            fp2_op(field, FieldOp::Sub, &y2, &y1)
        );
        assert_eq!(
            fp2_op(
                field,
                FieldOp::Add,
                mu,
                &fp2_op(field, FieldOp::Mul, lambda, &x1)
            ),
            fp2_op(field, FieldOp::Add, &y1, &vec![0; e])
        );
        let r = z.fcall(dbl, &[x1.clone(), y1.clone()].concat()).unwrap();
        let x_sq = fp2_op(field, FieldOp::Mul, &x1, &x1);
        assert_eq!(
            fp2_op(
                field,
                FieldOp::Mul,
                &r[..e],
                &fp2_op(field, FieldOp::Add, &y1, &y1)
            ),
            fp2_op(
                field,
                FieldOp::Add,
                &fp2_op(field, FieldOp::Add, &x_sq, &x_sq),
                &x_sq
            )
        );
        // The same point twice: no line through it (x2 - x1 = 0).
        assert!(z
            .fcall(add, &[x1.clone(), y1.clone(), x1, y1].concat())
            .is_err());
    }
    // BLS12_381_FP2_SQRT: a square x² gives [1, ±x]; (1 + i)·x², a
    // non-square, gives [0, a root of (1 + i)²·x²]; too few parameters fault.
    let f = Field::Bls12381;
    let x: Vec<u64> = [vec![5, 0, 0, 0, 0, 0], vec![7, 0, 0, 0, 0, 0]].concat();
    let sq = fp2_op(f, FieldOp::Mul, &x, &x);
    let r = z.fcall(13, &sq).unwrap();
    assert_eq!((r.len(), r[0]), (13, 1));
    assert_eq!(fp2_op(f, FieldOp::Mul, &r[1..], &r[1..]), sq);
    let nqr = [vec![1, 0, 0, 0, 0, 0], vec![1, 0, 0, 0, 0, 0]].concat();
    let non_square = fp2_op(f, FieldOp::Mul, &nqr, &sq);
    let r = z.fcall(13, &non_square).unwrap();
    assert_eq!(r[0], 0);
    assert_eq!(
        fp2_op(f, FieldOp::Mul, &r[1..], &r[1..]),
        fp2_op(f, FieldOp::Mul, &nqr, &non_square)
    );
    assert!(z
        .fcall(13, &[4, 0, 0, 0, 0])
        .unwrap_err()
        .contains("parameters"));
    // Unknown ids name themselves.
    assert!(z
        .fcall(40, &[])
        .unwrap_err()
        .contains("no ZisK free-input function has id 40"));
}

#[test]
fn inputcpy_copies_unread_free_input_results() {
    // `csrs 0x815, x0` + `addi a1, a0, 16`: 16 bytes of results to a0.
    let mut z = Zk::new(&[csrrs(0, 0x815, 0), addi(11, 10, 16)]);
    // UINT256_DIV 1000 / 7 leaves 8 results: quotient then remainder.
    for p in [1000u64, 0, 0, 0, 7, 0, 0, 0] {
        z.cpu.x[10] = p;
        z.exec(csrrs(0, 0x8F0, 10));
    }
    assert!(matches!(
        z.exec(csrwi(0x8C0, 19)),
        CustomResult::Done { .. }
    ));
    z.cpu.x[10] = DATA;
    match z.serve() {
        CustomResult::Skip { name, skip, .. } => assert_eq!((name, skip), ("DMA_INPUTCPY", 4)),
        other => panic!("{other:?}"),
    }
    assert_eq!(get(&z, DATA, 2), [142, 0]);
    assert_eq!(z.cpu.x[11], DATA, "rd gets dst");
    // The next FCALL_GET reads the third result; too many words fault.
    z.exec(csrrs(12, 0xFFE, 0));
    assert_eq!(z.cpu.x[12], 0);
    let mut z2 = Zk::new(&[csrrs(0, 0x815, 0), addi(11, 10, 16)]);
    z2.cpu.x[10] = DATA;
    match z2.serve() {
        CustomResult::Fault { message, .. } => assert!(message.contains("0 unread"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn profile_markers_are_span_markers_fused_with_the_addi_after_them() {
    // profile_start!(keccak): rs1 points at the &str "keccak", cmd 1.
    for (cmd, start) in [(1, true), (2, false)] {
        let mut z = Zk::new(&[csrrs(0, 0x81A, 10), addi(0, 0, cmd)]);
        z.mem.write_user(DATA + 0x40, b"keccak").unwrap();
        put(&mut z, DATA, &[DATA + 0x40, 6]);
        z.cpu.x[10] = DATA;
        match z.serve() {
            CustomResult::Marker {
                label,
                start: s,
                skip,
            } => {
                assert_eq!((label.as_str(), s, skip), ("keccak", start, 4));
            }
            other => panic!("{other:?}"),
        }
    }
    let mut z = Zk::new(&[csrrs(0, 0x81A, 10), addi(5, 0, 1)]);
    assert!(matches!(z.serve(), CustomResult::Fault { .. }));
}

#[test]
fn floating_point_instructions_are_recognised() {
    // fld fa0, 0(a0); fadd.d fa0, fa0, fa1; fsd; c.fld; c.fsdsp.
    for w in [0x0005_3507u32, 0x02b5_7553, 0x00a5_3027] {
        assert!(zisk::is_float_insn(&w.to_le_bytes()), "{w:#x}");
    }
    for h in [0x2108u16, 0xa02a] {
        assert!(zisk::is_float_insn(&h.to_le_bytes()), "{h:#x}");
    }
    // add, c.ld, lw: not floating point.
    for w in [0x00c5_8533u32, 0x0005_2503] {
        assert!(!zisk::is_float_insn(&w.to_le_bytes()), "{w:#x}");
    }
    assert!(!zisk::is_float_insn(&0x6108u16.to_le_bytes()));
    assert!(!zisk::is_float_insn(&[0x07]));
}
