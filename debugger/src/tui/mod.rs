//! `zkdbg tui`: a terminal step-through UI (ratatui + crossterm) over the
//! same [`Debugger`] core as the GDB stub.
//!
//! [`App`] holds the state and handles keys and `:` commands; [`render`]
//! draws it (tested with ratatui's `TestBackend`); [`run`] owns the
//! terminal, restoring it on exit, on error and on panic.

mod render;

use crate::commands::{self, Effect, FrontEnds};
use crate::core::{Debugger, Event, Resume};
use crate::run::Signal;
use crossterm::event::{self, Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;
use std::time::{Duration, Instant};

pub use render::{render, MIN_HEIGHT, MIN_WIDTH};

/// Instructions a source-level step may take before it gives up.
const STEP_LIMIT: u64 = 50_000_000;

/// The memory pane's default height in rows (borders included).
pub const MEM_ROWS: u16 = 4;

/// The panes, in `Tab` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    /// Source around the current line.
    Source,
    /// Disassembly around pc.
    Disassembly,
    /// Arguments and locals of the selected frame.
    Locals,
    /// Memory hex view.
    Memory,
    /// Guest stdout.
    Output,
}

/// What the guest is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Stopped, with the reason.
    Stopped(String),
    /// Running in the background (`c`).
    Running,
    /// Exited with this status.
    Exited(i32),
    /// Faulted.
    Faulted(String),
}

/// The UI state.
pub struct App {
    /// The debugger.
    pub dbg: Debugger,
    /// Focused pane.
    pub pane: Pane,
    /// Guest state.
    pub state: State,
    /// Registers before the last step, to highlight changes.
    pub prev_regs: [u64; 32],
    /// A message for the bottom line.
    pub message: String,
    /// The `:` command being typed.
    pub cmdline: Option<String>,
    /// The help overlay is shown.
    pub help: bool,
    /// Memory pane address.
    pub mem_addr: u64,
    /// Memory pane height in rows, borders included (`+`/`-` resize it).
    pub mem_rows: u16,
    /// Locals pane scroll (lines from the top).
    pub locals_scroll: usize,
    /// The locals of the selected frame, keyed by (instret, pc, frame).
    locals: Option<((u64, u64, usize), Vec<zkdbg_symbols::Variable>)>,
    /// Selected source line (for `b`), if moved away from pc's line.
    pub selected: Option<u32>,
    /// Disassembly scroll (instructions, relative to pc).
    pub disasm_scroll: i64,
    /// Output scroll (lines from the end).
    pub out_scroll: usize,
    /// Whether to quit.
    pub quit: bool,
    run_since: Option<(Instant, u64)>,
    /// Cycles per second of the current or last background run.
    pub rate: f64,
    files: HashMap<String, Option<Vec<String>>>,
    /// The watched bytes as last seen (at the last stop or command): a
    /// watchpoint stop shows them as the old value.
    watch_values: HashMap<(u64, u64), Vec<u8>>,
}

impl App {
    /// A UI over `dbg`, stopped at the entry point.
    pub fn new(dbg: Debugger) -> App {
        // The memory pane starts at the first writable segment (data).
        let data = dbg
            .guest()
            .machine
            .program
            .segments
            .iter()
            .find(|s| s.write)
            .map_or(0, |s| s.vaddr);
        App {
            prev_regs: dbg.guest().machine.cpu.x,
            dbg,
            pane: Pane::Source,
            state: State::Stopped("at entry".into()),
            message: "press ? for help".into(),
            cmdline: None,
            help: false,
            mem_addr: data,
            mem_rows: MEM_ROWS,
            locals_scroll: 0,
            locals: None,
            selected: None,
            disasm_scroll: 0,
            out_scroll: 0,
            quit: false,
            run_since: None,
            rate: 0.0,
            files: HashMap::new(),
            watch_values: HashMap::new(),
        }
    }

    /// The arguments and locals of the selected frame (computed once per
    /// stop and frame selection).
    pub fn locals(&mut self) -> &[zkdbg_symbols::Variable] {
        let cpu = &self.dbg.guest().machine.cpu;
        let key = (cpu.instret, cpu.pc, self.dbg.frame_number());
        if self.locals.as_ref().is_none_or(|(k, _)| *k != key) {
            self.locals = Some((key, self.dbg.locals()));
            self.locals_scroll = 0;
        }
        &self.locals.as_ref().expect("just set").1
    }

    /// The lines of a source file named by DWARF (read once; found by the
    /// guest's source paths: `--source-map`, then the path relative to
    /// the current directory, then cargo's registry and the Rust std
    /// sources); `None` if unreadable.
    pub fn file_lines(&mut self, path: &str) -> Option<&Vec<String>> {
        let paths = self.dbg.source().paths().clone();
        self.files
            .entry(path.to_string())
            .or_insert_with(|| {
                let file = paths.resolve(path)?;
                std::fs::read_to_string(file)
                    .ok()
                    .map(|t| t.lines().map(|l| l.replace('\t', "    ")).collect())
            })
            .as_ref()
    }

    fn describe(&self, ev: &Event) -> State {
        match ev {
            Event::DoneStep => State::Stopped("step".into()),
            Event::Breakpoint(pc) => State::Stopped(format!("breakpoint at {pc:#x}")),
            Event::Watch(k, a) => State::Stopped(format!("watchpoint ({k:?}) at {a:#x}")),
            Event::Catch(nr) => State::Stopped(format!(
                "catchpoint: syscall {nr} ({})",
                zeroos::syscall_name(*nr, self.dbg.guest().machine.xlen()).unwrap_or("?")
            )),
            Event::CatchInline(name) => State::Stopped(format!("catchpoint: inline {name}")),
            Event::Exited(c) => State::Exited(*c),
            Event::Halted => State::Exited(0),
            Event::Panicked => State::Faulted("guest panicked (exit code 101)".to_string()),
            Event::Fault(f) => State::Faulted(format!(
                "{} ({}) at {:#x}",
                f.kind.describe(),
                Signal::of(f.kind).name(),
                f.pc
            )),
            Event::Interrupted => State::Stopped("interrupted".into()),
            Event::StartOfHistory => State::Stopped("start of history".into()),
        }
    }

    fn stopped(&mut self, ev: Event) {
        self.state = self.describe(&ev);
        if let Event::Watch(_, addr) = ev {
            if let Some(change) = self.watch_change(addr) {
                self.message = change;
            }
            // The memory pane follows the last watchpoint hit.
            self.mem_addr = addr;
        }
        self.refresh_watch_values();
        self.selected = None;
        self.disasm_scroll = 0;
        self.run_since = None;
    }

    /// The bytes a watchpoint covers now (at most 64), if readable.
    fn watched_bytes(&self, addr: u64, len: u64) -> Option<Vec<u8>> {
        self.dbg
            .guest()
            .machine
            .mem
            .read_vec(addr, len.min(64) as usize)
            .ok()
    }

    /// Remembers the watched bytes of every watchpoint.
    fn refresh_watch_values(&mut self) {
        let ws: Vec<(u64, u64)> = self
            .dbg
            .watchpoints()
            .iter()
            .map(|w| (w.addr, w.len))
            .collect();
        self.watch_values = ws
            .into_iter()
            .filter_map(|(a, l)| Some(((a, l), self.watched_bytes(a, l)?)))
            .collect();
    }

    /// "old 0x.. (N) -> new 0x.. (M)" for the watchpoint at `addr`, as gdb
    /// reports a watchpoint: the value before (at the last stop) and now;
    /// integers of up to 8 bytes little-endian, longer ones as bytes.
    fn watch_change(&self, addr: u64) -> Option<String> {
        let w = self.dbg.watchpoints().iter().find(|w| w.addr == addr)?;
        let new = self.watched_bytes(w.addr, w.len)?;
        let old = self.watch_values.get(&(w.addr, w.len))?;
        let show = |b: &[u8]| -> String {
            if b.len() <= 8 {
                let mut v = [0u8; 8];
                v[..b.len()].copy_from_slice(b);
                let n = u64::from_le_bytes(v);
                format!("{n:#x} ({n})")
            } else {
                b.iter().map(|x| format!("{x:02x}")).collect()
            }
        };
        Some(format!(
            "old value {} -> new value {}",
            show(old),
            show(&new)
        ))
    }

    fn act(&mut self, f: impl FnOnce(&mut Debugger) -> Event) {
        self.prev_regs = self.dbg.guest().machine.cpu.x;
        let ev = f(&mut self.dbg);
        self.stopped(ev);
    }

    /// Whether a background run is in progress.
    pub fn running(&self) -> bool {
        self.state == State::Running
    }

    /// Starts a background `continue`.
    pub fn start_continue(&mut self) {
        self.prev_regs = self.dbg.guest().machine.cpu.x;
        self.state = State::Running;
        self.run_since = Some((Instant::now(), self.dbg.guest().machine.cpu.cycle));
        self.message = "running: Esc or Ctrl-C interrupts".into();
        // The first chunk skips a breakpoint at the current pc.
        self.run_chunk(true);
    }

    /// Runs a background `continue` for about 30 ms.
    pub fn run_chunk(&mut self, first: bool) {
        let t = Instant::now();
        let ev = self.dbg.resume(Resume::Continue, first, || {
            t.elapsed() > Duration::from_millis(30)
        });
        if let Some((t0, n0)) = self.run_since {
            let secs = t0.elapsed().as_secs_f64().max(1e-9);
            self.rate = (self.dbg.guest().machine.cpu.cycle - n0) as f64 / secs;
        }
        if ev != Event::Interrupted {
            self.message.clear();
            self.stopped(ev);
        }
    }

    /// Handles one key.
    pub fn key(&mut self, k: KeyEvent) {
        let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
        if self.running() {
            if k.code == KeyCode::Esc || ctrl_c {
                self.stopped(Event::Interrupted);
                self.message = "interrupted".into();
            }
            return;
        }
        if let Some(cmd) = &mut self.cmdline {
            match k.code {
                KeyCode::Enter => {
                    let c = std::mem::take(cmd);
                    self.cmdline = None;
                    self.command(&c);
                }
                KeyCode::Esc => self.cmdline = None,
                KeyCode::Backspace => {
                    cmd.pop();
                }
                KeyCode::Char(ch) => cmd.push(ch),
                _ => {}
            }
            return;
        }
        if self.help {
            self.help = false;
            return;
        }
        if ctrl_c {
            self.quit = true;
            return;
        }
        match k.code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Char('?') => self.help = true,
            KeyCode::Char(':') => self.cmdline = Some(String::new()),
            KeyCode::Char('s') => self.act(|d| d.step_line(false, STEP_LIMIT)),
            KeyCode::Char('n') => self.act(|d| d.step_line(true, STEP_LIMIT)),
            KeyCode::Char('i') => self.act(|d| d.resume(Resume::Step, true, || false)),
            KeyCode::Char('f') => self.act(|d| d.finish(STEP_LIMIT)),
            KeyCode::Char('r') => self.act(|d| d.reverse_line(1_000_000)),
            KeyCode::Char('R') => self.act(|d| d.reverse_continue()),
            KeyCode::Char('c') => self.start_continue(),
            KeyCode::Char('b') => self.toggle_breakpoint(),
            KeyCode::Char('u') => self.command("up"),
            KeyCode::Char('d') => self.command("down"),
            KeyCode::Char('+') if self.pane == Pane::Memory => {
                self.mem_rows = (self.mem_rows + 1).min(32)
            }
            KeyCode::Char('-') if self.pane == Pane::Memory => {
                self.mem_rows = self.mem_rows.saturating_sub(1).max(3)
            }
            KeyCode::Char('e') => {
                let mut c = self.dbg.catch().clone();
                c.ecall = !c.ecall;
                self.dbg.set_catch(c);
                self.message = format!(
                    "break on every ecall: {}",
                    if self.dbg.catch().ecall { "on" } else { "off" }
                );
            }
            KeyCode::Tab => {
                self.pane = match self.pane {
                    Pane::Source => Pane::Locals,
                    Pane::Locals => Pane::Disassembly,
                    Pane::Disassembly => Pane::Memory,
                    Pane::Memory => Pane::Output,
                    Pane::Output => Pane::Source,
                }
            }
            KeyCode::Up => self.scroll(-1),
            KeyCode::Down => self.scroll(1),
            KeyCode::PageUp => self.scroll(-10),
            KeyCode::PageDown => self.scroll(10),
            _ => {}
        }
    }

    fn scroll(&mut self, by: i64) {
        match self.pane {
            Pane::Source => {
                let cur = self
                    .selected
                    .or_else(|| self.frame_line().map(|l| l.1))
                    .unwrap_or(1) as i64;
                self.selected = Some((cur + by).max(1) as u32);
            }
            Pane::Disassembly => self.disasm_scroll += by,
            Pane::Locals => {
                self.locals_scroll = (self.locals_scroll as i64 + by).max(0) as usize;
            }
            Pane::Memory => self.mem_addr = self.mem_addr.wrapping_add((by * 16) as u64),
            Pane::Output => {
                self.out_scroll = (self.out_scroll as i64 - by).max(0) as usize;
            }
        }
    }

    /// The source line `b` acts on: the selected one, or the selected
    /// frame's.
    pub fn cursor_line(&self) -> Option<(String, u32)> {
        let (file, line) = self.frame_line()?;
        Some((file, self.selected.unwrap_or(line)))
    }

    /// `(file, line)` of the selected frame: pc's line in frame 0, the
    /// call's line (or the inlined call site) in outer frames.
    pub fn frame_line(&self) -> Option<(String, u32)> {
        if self.dbg.frame_number() == 0 {
            return self.dbg.line_of(self.dbg.pc());
        }
        call_line(&self.dbg.selected_frame()?)
    }

    fn toggle_breakpoint(&mut self) {
        let Some((file, line)) = self.cursor_line() else {
            self.message = "no source line here (no DWARF)".into();
            return;
        };
        let (lo, hi) = self.dbg.guest().machine.mem.code_range();
        match self.dbg.source().address_of_line(&file, line, lo, hi) {
            Some(a) => {
                if self.dbg.remove_breakpoint(a) {
                    self.message = format!("breakpoint removed at {file}:{line}");
                } else {
                    self.dbg.set_breakpoint(a);
                    self.message = format!("breakpoint at {file}:{line} ({a:#x})");
                }
            }
            None => self.message = format!("no code at {file}:{line}"),
        }
    }

    /// Runs a `:` command (see [`crate::commands`]).
    pub fn command(&mut self, cmd: &str) {
        let reply = commands::execute(&mut self.dbg, cmd, FrontEnds::Tui, ":");
        self.refresh_watch_values();
        match reply.effect {
            Effect::Help => self.help = true,
            Effect::ShowMemory(a) => {
                self.mem_addr = a;
                self.pane = Pane::Memory;
            }
            Effect::None | Effect::CatchChanged | Effect::Reset => {}
        }
        // A frame selection moves the source pane to the frame's line.
        self.selected = None;
        self.disasm_scroll = 0;
        self.message = reply.lines.join("; ");
    }
}

/// `(file, line)` of an outer frame: where it made its call (or the
/// inlined call site).
pub fn call_line(f: &crate::core::SelectedFrame) -> Option<(String, u32)> {
    let loc = f.frame.inline.get(f.depth)?.location.as_deref()?;
    let (file, line) = loc.rsplit_once(':')?;
    Some((file.to_string(), line.parse().ok()?))
}

/// Runs the UI in the terminal until `q`; with `break_at_fault` it first
/// continues to the guest's end (a fault stops it there, the state to
/// reverse-step from). The terminal is restored on exit, on error and on
/// panic.
pub fn run(mut dbg: Debugger, break_at_fault: bool) -> anyhow::Result<()> {
    dbg.set_interrupt_check(Box::new(terminal_interrupt_check()));
    let mut terminal = ratatui::try_init()?;
    let mut app = App::new(dbg);
    if break_at_fault {
        app.start_continue();
    }
    let result = event_loop(&mut terminal, app);
    ratatui::restore();
    result
}

/// The check long operations ask (step, finish, reverse step, reverse
/// continue): every 50 ms it shows their progress on the bottom line and
/// reads the keyboard; Esc, Ctrl-C or q stops the operation.
fn terminal_interrupt_check() -> impl FnMut(&str) -> bool {
    use crossterm::{cursor::MoveTo, style::Print, terminal, QueueableCommand};
    use std::io::Write;
    let mut last = Instant::now();
    move |progress: &str| {
        if last.elapsed() < Duration::from_millis(50) {
            return false;
        }
        last = Instant::now();
        let mut out = std::io::stdout();
        if let Ok((w, h)) = terminal::size() {
            let text = format!(" {progress} (Esc interrupts)");
            let text: String = text.chars().take(w as usize).collect();
            let _ = out
                .queue(MoveTo(0, h.saturating_sub(1)))
                .and_then(|o| o.queue(terminal::Clear(terminal::ClearType::CurrentLine)))
                .and_then(|o| o.queue(Print(text)));
            let _ = out.flush();
        }
        while event::poll(Duration::ZERO).unwrap_or(false) {
            if let Ok(TermEvent::Key(k)) = event::read() {
                let ctrl_c =
                    k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
                if k.code == KeyCode::Esc || k.code == KeyCode::Char('q') || ctrl_c {
                    return true;
                }
            }
        }
        false
    }
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, mut app: App) -> anyhow::Result<()> {
    while !app.quit {
        terminal.draw(|f| render(f, &mut app))?;
        let wait = if app.running() {
            Duration::from_millis(0)
        } else {
            Duration::from_millis(250)
        };
        if event::poll(wait)? {
            match event::read()? {
                TermEvent::Key(k) if k.kind == event::KeyEventKind::Press => app.key(k),
                TermEvent::Resize(..) => {}
                _ => {}
            }
        }
        if app.running() {
            app.run_chunk(false);
        }
    }
    Ok(())
}
