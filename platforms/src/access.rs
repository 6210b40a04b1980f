//! Guest memory accesses made by platforms' precompiles and custom
//! instructions: read and written as the guest would (`Memory::read_vec`,
//! `Memory::write_user`), each noted as word accesses for watchpoints.

use zkdbg_emulator::{AccessKind, MemAccess, Memory};

/// Why an access failed: the message and the address.
pub(crate) type AccessError = (String, Option<u64>);

/// Words of one access that watchpoints see (32 KiB of a ZisK DMA call).
const MAX_NOTED: usize = 4096;

/// Reads `len` bytes at `addr` for the instruction at `pc`, noting them as
/// `word`-byte accesses in `acc`.
///
/// Errors: more bytes than the memory limit allows (at least 1 MiB may
/// always be asked), memory that cannot be read.
pub(crate) fn read(
    mem: &Memory,
    pc: u64,
    addr: u64,
    len: u64,
    word: usize,
    acc: &mut Vec<MemAccess>,
) -> Result<Vec<u8>, AccessError> {
    if len > mem.available_bytes().max(1 << 20) {
        return Err((
            format!("{len} bytes at {addr:#x}: too many to read"),
            Some(addr),
        ));
    }
    let b = mem.read_vec(addr, len as usize).map_err(|e| {
        (
            format!("cannot read {len} bytes at {addr:#x}: {e}"),
            Some(addr),
        )
    })?;
    note(pc, addr, &b, AccessKind::Read, word, acc);
    Ok(b)
}

/// Writes `bytes` at `addr` as the guest would, noting the accesses.
///
/// Errors: memory that cannot be written.
pub(crate) fn write(
    mem: &mut Memory,
    pc: u64,
    addr: u64,
    bytes: &[u8],
    word: usize,
    acc: &mut Vec<MemAccess>,
) -> Result<(), AccessError> {
    mem.write_user(addr, bytes).map_err(|e| {
        (
            format!("cannot write {} bytes at {addr:#x}: {e}", bytes.len()),
            Some(addr),
        )
    })?;
    note(pc, addr, bytes, AccessKind::Write, word, acc);
    Ok(())
}

/// Notes `bytes` at `addr` as accesses of `word` bytes (4 or 8; the last
/// one shorter), the first [`MAX_NOTED`] of them.
pub(crate) fn note(
    pc: u64,
    addr: u64,
    bytes: &[u8],
    kind: AccessKind,
    word: usize,
    out: &mut Vec<MemAccess>,
) {
    for (i, w) in bytes.chunks(word).take(MAX_NOTED).enumerate() {
        let mut b = [0u8; 8];
        b[..w.len()].copy_from_slice(w);
        out.push(MemAccess {
            pc,
            addr: addr.wrapping_add((word * i) as u64),
            size: w.len() as u8,
            kind,
            value: u64::from_le_bytes(b),
        });
    }
}
