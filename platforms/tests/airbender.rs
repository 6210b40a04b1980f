//! Airbender's oracle CSR piece by piece: reads pop the oracle (0 once
//! empty), writes follow the UART protocol, delegation CSRs are refused by
//! name, and the oracle parses as its CLI reads it.

use zkdbg_emulator::memory::Perm;
use zkdbg_emulator::{Memory, Xlen};
use zkdbg_platforms::airbender::{parse_oracle, AirbenderDevice, CsrAccess};

fn device(oracle: Vec<u32>) -> AirbenderDevice {
    let mut mem = Memory::new(Xlen::X32, 1 << 20);
    mem.set_guard(0);
    let d = AirbenderDevice::install(oracle, [(0, 0x100)], &mut mem).unwrap();
    assert_eq!(
        mem.perm(0),
        Some(Perm::RWX),
        "the program runs from address 0"
    );
    d
}

fn value(a: Option<CsrAccess>) -> (u64, Option<Vec<u8>>) {
    match a {
        Some(CsrAccess::Done(v, text)) => (v, text),
        Some(CsrAccess::Fault(m)) => panic!("fault: {m}"),
        None => panic!("not an Airbender CSR"),
    }
}

#[test]
fn reads_pop_the_oracle_and_writes_speak_uart() {
    let mut d = device(vec![7, 8]);
    assert_eq!(value(d.csr(0x7c0, 10, 0, true)).0, 7, "rd != x0: a read");
    assert_eq!(value(d.csr(0x7c0, 10, 0, true)).0, 8);
    assert_eq!(value(d.csr(0x7c0, 10, 0, true)).0, 0, "empty: 0");
    // UART: u32::MAX, 1 + 2 words, 5 bytes, "hello" in two words.
    for w in [u32::MAX, 3, 5, u32::from_le_bytes(*b"hell")] {
        assert_eq!(value(d.csr(0x7c0, 0, w as u64, true)), (0, None));
    }
    let (_, text) = value(d.csr(0x7c0, 0, u32::from_le_bytes(*b"o\0\0\0") as u64, true));
    assert_eq!(text.as_deref(), Some(&b"hello"[..]));
    // The marker CSR does nothing; other CSRs are the hart's.
    assert_eq!(value(d.csr(0x7ff, 0, 1, true)), (0, None));
    assert!(d.csr(0x300, 10, 0, false).is_none());
    match d.csr(0x7c7, 0, 0, true) {
        Some(CsrAccess::Fault(m)) => assert!(m.contains("BLAKE2"), "{m}"),
        _ => panic!("the BLAKE2 delegation is refused"),
    }
}

#[test]
fn the_oracle_parses_as_airbenders_cli_reads_it() {
    assert_eq!(parse_oracle("00000014 0000000a\n"), Ok(vec![20, 10]));
    assert_eq!(parse_oracle("0xdeadbeef"), Ok(vec![0xdeadbeef]));
    assert!(parse_oracle("0014").unwrap_err().contains("8 hex digits"));
    assert!(parse_oracle("0000001g")
        .unwrap_err()
        .contains("not a hex word"));
}
