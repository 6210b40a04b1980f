//! The `gdbstub` target: registers, memory, resume modes, breakpoints,
//! watchpoints, reverse execution, catch-syscalls and the target
//! description.

use super::arch::{target_xml, RegIdOf, Regs, Riscv, RvRegId, Word, CSRS};
use crate::core::{Catch, Debugger, Event, Resume, WatchKind as OurWatch, Watchpoint};
use gdbstub::common::Signal;
use gdbstub::stub::SingleThreadStopReason;
use gdbstub::target::ext::base::reverse_exec::{ReplayLogPosition, ReverseCont, ReverseStep};
use gdbstub::target::ext::base::single_register_access::{
    SingleRegisterAccess, SingleRegisterAccessOps,
};
use gdbstub::target::ext::base::singlethread::{
    SingleThreadBase, SingleThreadRangeStepping, SingleThreadResume, SingleThreadSingleStep,
};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{
    Breakpoints, HwBreakpoint, HwWatchpoint, SwBreakpoint, WatchKind,
};
use gdbstub::target::ext::catch_syscalls::{CatchSyscallPosition, CatchSyscalls, SyscallNumbers};
use gdbstub::target::ext::target_description_xml_override::TargetDescriptionXmlOverride;
use gdbstub::target::{Target, TargetError, TargetResult};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
enum Pending {
    Resume(Resume),
    ReverseStep,
    ReverseCont,
}

/// What one call of [`GdbTarget::run_pending`] came to.
pub enum Outcome<U> {
    /// The guest stopped; report this.
    Stopped(SingleThreadStopReason<U>),
    /// The client sent something (Ctrl-C): read it.
    Incoming,
    /// Still running (output was forwarded); call again.
    KeepGoing,
}

/// The target GDB talks to.
pub struct GdbTarget<U> {
    pub(super) dbg: Debugger,
    pending: Option<Pending>,
    skip_first: bool,
    /// Catchpoints came from `QCatchSyscalls` (report them as syscall
    /// stops) rather than from `monitor catch` (report SIGTRAP).
    catch_by_client: bool,
    xml: String,
    _w: std::marker::PhantomData<U>,
}

impl<U: Word> GdbTarget<U> {
    pub fn new(dbg: Debugger) -> GdbTarget<U> {
        GdbTarget {
            dbg,
            pending: None,
            skip_first: false,
            catch_by_client: false,
            xml: target_xml(U::BITS),
            _w: std::marker::PhantomData,
        }
    }

    fn forward_output(&mut self) {
        self.dbg
            .forward_output(&mut std::io::stdout(), &mut std::io::stderr());
    }

    /// Runs what the client asked for, for at most about 100 ms.
    pub fn run_pending(&mut self, mut incoming: impl FnMut() -> bool) -> Outcome<U> {
        let Some(p) = self.pending else {
            return Outcome::Stopped(SingleThreadStopReason::DoneStep);
        };
        let ev = match p {
            Pending::Resume(how) => {
                let t0 = Instant::now();
                let mut poked = false;
                let ev = self.dbg.resume(how, self.skip_first, || {
                    if incoming() {
                        poked = true;
                        return true;
                    }
                    t0.elapsed() > Duration::from_millis(100)
                });
                self.skip_first = false;
                self.forward_output();
                if ev == Event::Interrupted {
                    return if poked {
                        Outcome::Incoming
                    } else {
                        Outcome::KeepGoing
                    };
                }
                ev
            }
            Pending::ReverseStep => self.dbg.reverse_step(),
            Pending::ReverseCont => self.dbg.reverse_continue(),
        };
        self.pending = None;
        Outcome::Stopped(self.stop_reason(ev))
    }

    /// Ctrl-C while running.
    pub fn interrupted(&mut self) -> SingleThreadStopReason<U> {
        self.pending = None;
        SingleThreadStopReason::Signal(Signal::SIGINT)
    }

    fn stop_reason(&self, ev: Event) -> SingleThreadStopReason<U> {
        match ev {
            Event::DoneStep => SingleThreadStopReason::DoneStep,
            Event::Breakpoint(_) => SingleThreadStopReason::SwBreak(()),
            Event::Watch(kind, addr) => SingleThreadStopReason::Watch {
                tid: (),
                kind: match kind {
                    OurWatch::Write => WatchKind::Write,
                    OurWatch::Read => WatchKind::Read,
                    OurWatch::Access => WatchKind::ReadWrite,
                },
                addr: U::from_xlen(addr),
            },
            Event::Catch(nr) if self.catch_by_client => SingleThreadStopReason::CatchSyscall {
                tid: None,
                number: U::from_xlen(nr),
                position: CatchSyscallPosition::Entry,
            },
            Event::Catch(_) | Event::CatchInline(_) => {
                SingleThreadStopReason::Signal(Signal::SIGTRAP)
            }
            Event::Exited(c) => SingleThreadStopReason::Exited(c as u8),
            Event::Halted => SingleThreadStopReason::Exited(0),
            Event::Panicked => SingleThreadStopReason::Exited(101),
            Event::Fault(f) => {
                SingleThreadStopReason::Signal(match crate::run::Signal::of(f.kind) {
                    crate::run::Signal::Segv => Signal::SIGSEGV,
                    crate::run::Signal::Ill => Signal::SIGILL,
                    crate::run::Signal::Bus => Signal::SIGBUS,
                    crate::run::Signal::Xcpu => Signal::SIGXCPU,
                    crate::run::Signal::Trap => Signal::SIGTRAP,
                    crate::run::Signal::Abrt => Signal::SIGABRT,
                })
            }
            Event::Interrupted => SingleThreadStopReason::Signal(Signal::SIGINT),
            Event::StartOfHistory => SingleThreadStopReason::ReplayLog {
                tid: None,
                pos: ReplayLogPosition::Begin,
            },
        }
    }

    pub(super) fn set_catch_by_client(&mut self, v: bool) {
        self.catch_by_client = v;
    }
}

impl<U: Word> Target for GdbTarget<U> {
    type Arch = Riscv<U>;
    /// Nothing the target does fails fatally: errors reach the client as
    /// error replies (`TargetError::NonFatal`/`Errno`).
    type Error = std::convert::Infallible;

    fn base_ops(&mut self) -> BaseOps<'_, Self::Arch, Self::Error> {
        BaseOps::SingleThread(self)
    }

    fn support_breakpoints(
        &mut self,
    ) -> Option<gdbstub::target::ext::breakpoints::BreakpointsOps<'_, Self>> {
        Some(self)
    }

    fn support_monitor_cmd(
        &mut self,
    ) -> Option<gdbstub::target::ext::monitor_cmd::MonitorCmdOps<'_, Self>> {
        Some(self)
    }

    fn support_catch_syscalls(
        &mut self,
    ) -> Option<gdbstub::target::ext::catch_syscalls::CatchSyscallsOps<'_, Self>> {
        Some(self)
    }

    fn support_target_description_xml_override(
        &mut self,
    ) -> Option<
        gdbstub::target::ext::target_description_xml_override::TargetDescriptionXmlOverrideOps<
            '_,
            Self,
        >,
    > {
        Some(self)
    }

    // A guest is never a real GDB "process": no implicit software
    // breakpoints (GDB inserts them with Z0), and guard rails stay on.
    fn guard_rail_implicit_sw_breakpoints(&self) -> bool {
        true
    }
}

impl<U: Word> SingleThreadBase for GdbTarget<U> {
    fn read_registers(&mut self, regs: &mut Regs<U>) -> TargetResult<(), Self> {
        let cpu = &self.dbg.guest().machine.cpu;
        regs.x = cpu.x;
        regs.pc = cpu.pc;
        for (i, (_, num, _)) in CSRS.iter().enumerate() {
            regs.csr[i] = cpu.read_csr(*num).unwrap_or(0);
        }
        regs.privilege = 3;
        Ok(())
    }

    fn write_registers(&mut self, regs: &Regs<U>) -> TargetResult<(), Self> {
        let xlen = self.dbg.guest().machine.xlen();
        self.dbg.write_cpu(|cpu| {
            for i in 1..32 {
                cpu.x[i] = xlen.truncate(regs.x[i]);
            }
            cpu.pc = xlen.truncate(regs.pc) & !1;
            for (i, (_, num, writable)) in CSRS.iter().enumerate() {
                if *writable && cpu.read_csr(*num) != Some(regs.csr[i]) {
                    // A `G` packet writes every register: a CSR that keeps
                    // its WARL value, or refuses, must not fail the others.
                    let _ = cpu.write_csr(*num, regs.csr[i]);
                }
            }
        });
        Ok(())
    }

    fn support_single_register_access(&mut self) -> Option<SingleRegisterAccessOps<'_, (), Self>> {
        Some(self)
    }

    fn read_addrs(&mut self, start: U, data: &mut [u8]) -> TargetResult<usize, Self> {
        let mem = &self.dbg.guest().machine.mem;
        let start = start.to_xlen();
        for (i, b) in data.iter_mut().enumerate() {
            match mem.peek_u8(start.wrapping_add(i as u64)) {
                Ok(v) => *b = v,
                Err(_) if i == 0 => return Err(TargetError::Errno(14)),
                Err(_) => return Ok(i),
            }
        }
        Ok(data.len())
    }

    fn write_addrs(&mut self, start: U, data: &[u8]) -> TargetResult<(), Self> {
        self.dbg
            .write_memory(start.to_xlen(), data)
            .map_err(|_| TargetError::Errno(14))
    }

    fn support_resume(
        &mut self,
    ) -> Option<gdbstub::target::ext::base::singlethread::SingleThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

impl<U: Word> SingleRegisterAccess<()> for GdbTarget<U> {
    fn read_register(
        &mut self,
        _tid: (),
        reg: RegIdOf<U>,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        let cpu = &self.dbg.guest().machine.cpu;
        let v = match reg.0 {
            RvRegId::X(i) => cpu.x[i as usize],
            RvRegId::Pc => cpu.pc,
            RvRegId::Csr(i) => cpu.read_csr(CSRS[i].1).unwrap_or(0),
            RvRegId::Priv => 3,
        };
        let n = U::BITS / 8;
        buf[..n].copy_from_slice(&v.to_le_bytes()[..n]);
        Ok(n)
    }

    fn write_register(&mut self, _tid: (), reg: RegIdOf<U>, val: &[u8]) -> TargetResult<(), Self> {
        let mut b = [0u8; 8];
        let n = val.len().min(8);
        b[..n].copy_from_slice(&val[..n]);
        let xlen = self.dbg.guest().machine.xlen();
        let v = xlen.truncate(u64::from_le_bytes(b));
        match reg.0 {
            RvRegId::X(0) => Ok(()),
            RvRegId::X(i) => {
                self.dbg.write_cpu(|cpu| cpu.x[i as usize] = v);
                Ok(())
            }
            RvRegId::Pc => {
                self.dbg.write_cpu(|cpu| cpu.pc = v & !1);
                Ok(())
            }
            RvRegId::Csr(i) if CSRS[i].2 => {
                if self.dbg.write_cpu(|cpu| cpu.write_csr(CSRS[i].1, v)) {
                    Ok(())
                } else {
                    Err(TargetError::NonFatal)
                }
            }
            // Read-only: counters, misa, mhartid, priv.
            RvRegId::Csr(_) | RvRegId::Priv => Err(TargetError::NonFatal),
        }
    }
}

impl<U: Word> SingleThreadResume for GdbTarget<U> {
    fn resume(&mut self, signal: Option<Signal>) -> Result<(), Self::Error> {
        if signal.is_some() {
            // Signals have no meaning for a guest: resume without one.
        }
        self.pending = Some(Pending::Resume(Resume::Continue));
        self.skip_first = true;
        Ok(())
    }

    fn support_single_step(
        &mut self,
    ) -> Option<gdbstub::target::ext::base::singlethread::SingleThreadSingleStepOps<'_, Self>> {
        Some(self)
    }

    fn support_range_step(
        &mut self,
    ) -> Option<gdbstub::target::ext::base::singlethread::SingleThreadRangeSteppingOps<'_, Self>>
    {
        Some(self)
    }

    fn support_reverse_step(
        &mut self,
    ) -> Option<gdbstub::target::ext::base::reverse_exec::ReverseStepOps<'_, (), Self>> {
        Some(self)
    }

    fn support_reverse_cont(
        &mut self,
    ) -> Option<gdbstub::target::ext::base::reverse_exec::ReverseContOps<'_, (), Self>> {
        Some(self)
    }
}

impl<U: Word> SingleThreadSingleStep for GdbTarget<U> {
    fn step(&mut self, _signal: Option<Signal>) -> Result<(), Self::Error> {
        self.pending = Some(Pending::Resume(Resume::Step));
        self.skip_first = true;
        Ok(())
    }
}

impl<U: Word> SingleThreadRangeStepping for GdbTarget<U> {
    fn resume_range_step(&mut self, start: U, end: U) -> Result<(), Self::Error> {
        self.pending = Some(Pending::Resume(Resume::Range(
            start.to_xlen(),
            end.to_xlen(),
        )));
        self.skip_first = true;
        Ok(())
    }
}

impl<U: Word> ReverseStep<()> for GdbTarget<U> {
    fn reverse_step(&mut self, _tid: ()) -> Result<(), Self::Error> {
        self.pending = Some(Pending::ReverseStep);
        Ok(())
    }
}

impl<U: Word> ReverseCont<()> for GdbTarget<U> {
    fn reverse_cont(&mut self) -> Result<(), Self::Error> {
        self.pending = Some(Pending::ReverseCont);
        Ok(())
    }
}

impl<U: Word> Breakpoints for GdbTarget<U> {
    fn support_sw_breakpoint(
        &mut self,
    ) -> Option<gdbstub::target::ext::breakpoints::SwBreakpointOps<'_, Self>> {
        Some(self)
    }
    fn support_hw_breakpoint(
        &mut self,
    ) -> Option<gdbstub::target::ext::breakpoints::HwBreakpointOps<'_, Self>> {
        Some(self)
    }
    fn support_hw_watchpoint(
        &mut self,
    ) -> Option<gdbstub::target::ext::breakpoints::HwWatchpointOps<'_, Self>> {
        Some(self)
    }
}

impl<U: Word> SwBreakpoint for GdbTarget<U> {
    fn add_sw_breakpoint(&mut self, addr: U, _kind: usize) -> TargetResult<bool, Self> {
        self.dbg.set_breakpoint(addr.to_xlen());
        Ok(true)
    }
    fn remove_sw_breakpoint(&mut self, addr: U, _kind: usize) -> TargetResult<bool, Self> {
        Ok(self.dbg.remove_breakpoint(addr.to_xlen()))
    }
}

impl<U: Word> HwBreakpoint for GdbTarget<U> {
    fn add_hw_breakpoint(&mut self, addr: U, kind: usize) -> TargetResult<bool, Self> {
        self.add_sw_breakpoint(addr, kind)
    }
    fn remove_hw_breakpoint(&mut self, addr: U, kind: usize) -> TargetResult<bool, Self> {
        self.remove_sw_breakpoint(addr, kind)
    }
}

fn our_kind(k: WatchKind) -> OurWatch {
    match k {
        WatchKind::Write => OurWatch::Write,
        WatchKind::Read => OurWatch::Read,
        WatchKind::ReadWrite => OurWatch::Access,
    }
}

impl<U: Word> HwWatchpoint for GdbTarget<U> {
    fn add_hw_watchpoint(&mut self, addr: U, len: U, kind: WatchKind) -> TargetResult<bool, Self> {
        self.dbg.add_watchpoint(Watchpoint {
            addr: addr.to_xlen(),
            len: len.to_xlen().max(1),
            kind: our_kind(kind),
        });
        Ok(true)
    }
    fn remove_hw_watchpoint(
        &mut self,
        addr: U,
        len: U,
        kind: WatchKind,
    ) -> TargetResult<bool, Self> {
        let w = Watchpoint {
            addr: addr.to_xlen(),
            len: len.to_xlen().max(1),
            kind: our_kind(kind),
        };
        Ok(self.dbg.remove_watchpoint(&w))
    }
}

impl<U: Word> CatchSyscalls for GdbTarget<U> {
    fn enable_catch_syscalls(
        &mut self,
        filter: Option<SyscallNumbers<'_, U>>,
    ) -> TargetResult<(), Self> {
        // GDB's `catch syscall` replaces the syscall catchpoints; inline
        // catchpoints set by `monitor catch inline` stay.
        let inlines = self.dbg.catch().inlines.clone();
        let catch = match filter {
            Some(numbers) => Catch {
                ecall: false,
                syscalls: numbers.map(|n| n.to_xlen()).collect(),
                inlines,
            },
            None => Catch {
                ecall: true,
                syscalls: Default::default(),
                inlines,
            },
        };
        self.dbg.set_catch(catch);
        self.set_catch_by_client(true);
        Ok(())
    }

    fn disable_catch_syscalls(&mut self) -> TargetResult<(), Self> {
        let inlines = self.dbg.catch().inlines.clone();
        self.dbg.set_catch(Catch {
            inlines,
            ..Catch::default()
        });
        self.set_catch_by_client(false);
        Ok(())
    }
}

impl<U: Word> TargetDescriptionXmlOverride for GdbTarget<U> {
    fn target_description_xml(
        &self,
        annex: &[u8],
        offset: u64,
        length: usize,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        if annex != b"target.xml" {
            return Err(TargetError::NonFatal);
        }
        let xml = self.xml.as_bytes();
        // Both come from the client: `offset` may exceed usize, `length`
        // may be anything (e.g. 0xffffffffffffffff).
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(xml.len());
        let end = start.saturating_add(length.min(buf.len())).min(xml.len());
        buf[..end - start].copy_from_slice(&xml[start..end]);
        Ok(end - start)
    }
}
