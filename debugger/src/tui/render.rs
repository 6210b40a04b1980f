//! Drawing the UI.

use super::{App, Pane, State};
use crate::commands::{self, FrontEnds};
use crate::core::SelectedFrame;
use crate::gdb::arch::ABI_NAMES;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// Below this size the UI asks for a bigger terminal.
pub const MIN_WIDTH: u16 = 80;
/// Below this size the UI asks for a bigger terminal.
pub const MIN_HEIGHT: u16 = 24;

const KEYS: &str = " s  step a source line        n  next (over calls)     i  step instruction
 f  finish (run to return)    c  continue (Esc stops)  r  reverse step (line)
 R  reverse continue          b  toggle breakpoint on the selected line
 e  toggle break on every ecall                        Tab  cycle panes
 u  up a frame (the caller)   d  down a frame          +/-  memory pane size
 arrows, PgUp/PgDn  scroll the focused pane (source: select a line)
 q  quit    ?  this help";

/// The help overlay: the keys, then the `:` commands from the command table.
fn help_text() -> String {
    format!("{KEYS}\n{}", commands::help(FrontEnds::Tui, ":"))
}

fn block(title: String, focused: bool) -> Block<'static> {
    let style = if focused {
        Style::default().fg(Color::Cyan)
    } else {
        Style::default()
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title)
}

/// Draws the whole UI.
pub fn render(f: &mut Frame, app: &mut App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "terminal too small: {}x{} (zkdbg tui needs {MIN_WIDTH}x{MIN_HEIGHT})",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(10),
            Constraint::Length(5),
            Constraint::Length(1),
        ])
        .split(area);
    status_bar(f, app, rows[0]);
    let cols = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(58), Constraint::Percentage(42)])
        .split(rows[1]);
    let left = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Percentage(50),
            Constraint::Percentage(22),
            Constraint::Percentage(28),
        ])
        .split(cols[0]);
    // The selected frame, unwound once for the panes that follow it.
    let sel = app.dbg.selected_frame();
    let outer = sel.as_ref().filter(|s| s.number > 0);
    source(f, app, outer, left[0]);
    locals(f, app, sel.as_ref(), left[1]);
    disassembly(f, app, outer, left[2]);
    let right = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(18),
            Constraint::Min(5),
            Constraint::Length(4),
            Constraint::Length(app.mem_rows),
        ])
        .split(cols[1]);
    registers(f, app, right[0]);
    stack(f, app, right[1]);
    points(f, app, right[2]);
    memory(f, app, right[3]);
    let bottom = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(50), Constraint::Percentage(50)])
        .split(rows[2]);
    output(f, app, bottom[0]);
    syscalls(f, app, bottom[1]);
    let line = match &app.cmdline {
        Some(c) => format!(":{c}"),
        None => app.message.clone(),
    };
    f.render_widget(Paragraph::new(line), rows[3]);
    if app.help {
        let text = help_text();
        let r = centered(area, 84, text.lines().count() as u16 + 2);
        f.render_widget(Clear, r);
        f.render_widget(
            Paragraph::new(text).block(block(" keys (any key closes) ".into(), true)),
            r,
        );
    }
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn status_bar(f: &mut Frame, app: &App, r: Rect) {
    let cpu = &app.dbg.guest().machine.cpu;
    let (state, color) = match &app.state {
        State::Stopped(why) => (format!("stopped ({why})"), Color::Yellow),
        State::Running => (
            format!("running, {:.1} M instr/s", app.rate / 1e6),
            Color::Green,
        ),
        State::Exited(c) => (format!("exited with code {c}"), Color::Blue),
        State::Faulted(why) => (format!("faulted: {why}"), Color::Red),
    };
    let text = format!(
        " zkdbg {} ({}) | {state} | pc {:#x} | {} instructions | {} cycles ",
        app.dbg.guest().name(),
        app.dbg.guest().machine.xlen().name(),
        cpu.pc,
        cpu.instret,
        cpu.cycle
    );
    f.render_widget(
        Paragraph::new(text).style(Style::default().bg(color).fg(Color::Black)),
        r,
    );
}

fn breakpoint_lines(app: &App, file: &str) -> Vec<u32> {
    let mut v: Vec<u32> = app
        .dbg
        .breakpoints()
        .iter()
        .filter_map(|&a| app.dbg.line_of(a))
        .filter(|(f, _)| f == file)
        .map(|(_, l)| l)
        .collect();
    v.sort_unstable();
    v
}

/// The source pane: pc's line, or with `frame` (an outer frame selected)
/// that frame's call.
fn source(f: &mut Frame, app: &mut App, frame: Option<&SelectedFrame>, r: Rect) {
    let focused = app.pane == Pane::Source;
    let pc = frame.map_or(app.dbg.pc(), |f| f.frame.lookup(f.innermost));
    let at = match frame {
        Some(fr) => super::call_line(fr),
        None => app.dbg.line_of(pc),
    };
    let Some((file, line)) = at else {
        f.render_widget(
            Paragraph::new("no source line for this pc (no DWARF here): see the disassembly")
                .block(block(" source ".into(), focused)),
            r,
        );
        return;
    };
    // Inline frames: the selected function and where it was inlined.
    let frames = app.dbg.source().frames(pc);
    let depth = frame.map_or(0, |f| f.depth);
    let frames = frames.get(depth..).unwrap_or_default();
    let func = frames
        .first()
        .and_then(|f| f.function.clone())
        .unwrap_or_default();
    let frame_note = frame.map_or(String::new(), |f| format!("frame #{}: ", f.number));
    let inl = if frames.len() > 1 {
        format!(
            " (inlined into {})",
            frames
                .last()
                .and_then(|f| f.function.clone())
                .unwrap_or_default()
        )
    } else {
        String::new()
    };
    let ann = app.dbg.annotations().cloned();
    let cycles_note = ann.as_ref().map_or(String::new(), |a| {
        format!(" (cycles to instruction {})", a.instret)
    });
    let title = format!(" {frame_note}{file}:{line} in {func}{inl}{cycles_note} ");
    let bps = breakpoint_lines(app, &file);
    let sel = app.selected.unwrap_or(line);
    let has_sel = app.selected.is_some();
    let h = r.height.saturating_sub(2) as u32;
    let center = sel;
    let first = center.saturating_sub(h / 2).max(1);
    let lines: Vec<Line> = match app.file_lines(&file) {
        None => vec![Line::from(format!(
            "cannot read {file} (--source-map FROM=TO says where the build's paths are)"
        ))],
        Some(text) => (first..first + h)
            .filter(|n| (*n as usize) <= text.len())
            .map(|n| {
                let src = &text[n as usize - 1];
                let mark = if bps.contains(&n) { "●" } else { " " };
                let arrow = if n == line { "▶" } else { " " };
                let s = match &ann {
                    Some(a) => {
                        let c = a.by_line.get(&(file.clone(), n)).copied();
                        let c = c.map_or(String::new(), |c| c.to_string());
                        format!("{mark}{arrow}{n:>5} {c:>9}  {src}")
                    }
                    None => format!("{mark}{arrow}{n:>5}  {src}"),
                };
                let mut style = Style::default();
                if n == line {
                    style = style.bg(Color::DarkGray).add_modifier(Modifier::BOLD);
                }
                if n == sel && has_sel {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                Line::styled(s, style)
            })
            .collect(),
    };
    f.render_widget(Paragraph::new(lines).block(block(title, focused)), r);
}

fn disassembly(f: &mut Frame, app: &App, frame: Option<&SelectedFrame>, r: Rect) {
    let m = &app.dbg.guest().machine;
    // Centred on the selected frame's pc (an outer frame's return address).
    let at = frame.map(|f| f.frame.pc);
    let pc = at.unwrap_or(m.cpu.pc);
    let h = r.height.saturating_sub(2) as i64;
    // Walk from the function's start (or pc) to find instructions before pc.
    let start = m
        .symbols()
        .function_at(pc)
        .map(|(s, _)| s.addr)
        .filter(|a| pc - a < 4096)
        .unwrap_or(pc);
    let mut addrs = Vec::new();
    let mut a = start;
    while a < pc {
        addrs.push(a);
        a += m.mem.fetch(a).map_or(2, |i| i.len as u64);
    }
    let before = addrs.len() as i64;
    let mut a = pc;
    for _ in 0..(h + app.disasm_scroll.max(0) + 4) {
        addrs.push(a);
        a += m.mem.fetch(a).map_or(2, |i| i.len as u64);
    }
    let skip = (before - h / 3 + app.disasm_scroll).clamp(0, addrs.len() as i64) as usize;
    let guest = app.dbg.guest();
    let lines: Vec<Line> = addrs
        .iter()
        .skip(skip)
        .take(h as usize)
        .map(|&a| {
            let text = match m.mem.fetch(a) {
                Some(i) => guest.disassemble(&i, a),
                None => "(unmapped)".into(),
            };
            let mark = if app.dbg.breakpoints().contains(&a) {
                "●"
            } else {
                " "
            };
            let arrow = if a == m.cpu.pc {
                "▶"
            } else if Some(a) == at {
                "▷"
            } else {
                " "
            };
            let loc = m.symbols().describe(a).unwrap_or_default();
            let s = match app.dbg.annotations() {
                Some(ann) => {
                    let c = ann.by_pc.get(&a).map_or(String::new(), |c| c.to_string());
                    format!("{mark}{arrow}{a:#010x} {c:>9} {loc:<18.18} {text}")
                }
                None => format!("{mark}{arrow}{a:#010x} {loc:<18.18} {text}"),
            };
            if a == pc {
                Line::styled(
                    s,
                    Style::default()
                        .bg(Color::DarkGray)
                        .add_modifier(Modifier::BOLD),
                )
            } else {
                Line::from(s)
            }
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(block(" disassembly ".into(), app.pane == Pane::Disassembly)),
        r,
    );
}

fn registers(f: &mut Frame, app: &App, r: Rect) {
    let cpu = &app.dbg.guest().machine.cpu;
    let w = if app.dbg.guest().machine.xlen().bits() == 64 {
        16
    } else {
        8
    };
    let mut lines = Vec::new();
    for row in 0..16 {
        let mut spans = Vec::new();
        for i in [row, row + 16] {
            let changed = cpu.x[i] != app.prev_regs[i];
            let style = if changed {
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            spans.push(Span::styled(
                format!(
                    "{:>4} {:0w$x}{} ",
                    ABI_NAMES[i],
                    cpu.x[i],
                    if changed { "*" } else { " " }
                ),
                style,
            ));
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(
        Paragraph::new(lines).block(block(format!(" registers  pc {:#x} ", cpu.pc), false)),
        r,
    );
}

fn stack(f: &mut Frame, app: &App, r: Rect) {
    let mut lines = Vec::new();
    let mut n = 0;
    let selected = app.dbg.frame_number();
    for fr in app.dbg.backtrace() {
        for (i, f) in fr.inline.iter().enumerate() {
            let (name, loc) = (&f.function, &f.location);
            let tag = if i + 1 < fr.inline.len() {
                " [inlined]"
            } else {
                ""
            };
            let at = loc.as_ref().map(|l| format!(" at {l}")).unwrap_or_default();
            let text = format!("#{n:<2} {name}{tag}{at}");
            lines.push(if n == selected {
                Line::styled(text, Style::default().add_modifier(Modifier::REVERSED))
            } else {
                Line::from(text)
            });
            n += 1;
        }
    }
    f.render_widget(
        Paragraph::new(lines).block(block(" call stack ".into(), false)),
        r,
    );
}

fn locals(f: &mut Frame, app: &mut App, sel: Option<&SelectedFrame>, r: Rect) {
    let h = r.height.saturating_sub(2) as usize;
    let scroll = app.locals_scroll;
    let focused = app.pane == Pane::Locals;
    let title = match sel {
        Some(sel) => {
            let name = sel
                .frame
                .inline
                .get(sel.depth)
                .map_or("??", |i| i.function.as_str())
                .to_string();
            format!(" locals of #{} {name} ", sel.number)
        }
        None => " locals ".into(),
    };
    let vars = app.locals();
    let lines: Vec<Line> = if vars.is_empty() {
        vec![Line::from(
            "no arguments or locals here (no DWARF for this frame?)",
        )]
    } else {
        vars.iter()
            .skip(scroll.min(vars.len().saturating_sub(1)))
            .take(h)
            .map(|v| {
                Line::from(vec![
                    Span::styled(
                        v.name.clone(),
                        Style::default().add_modifier(if v.argument {
                            Modifier::ITALIC
                        } else {
                            Modifier::empty()
                        }),
                    ),
                    Span::styled(
                        format!(": {}", v.type_name),
                        Style::default().fg(Color::DarkGray),
                    ),
                    Span::raw(format!(" = {}", v.value)),
                ])
            })
            .collect()
    };
    f.render_widget(Paragraph::new(lines).block(block(title, focused)), r);
}

fn points(f: &mut Frame, app: &App, r: Rect) {
    let mut lines = Vec::new();
    let mut bps: Vec<u64> = app.dbg.breakpoints().iter().copied().collect();
    bps.sort_unstable();
    for a in bps {
        let loc = app
            .dbg
            .line_of(a)
            .map(|(f, l)| format!(" {f}:{l}"))
            .unwrap_or_default();
        lines.push(Line::from(format!("break {a:#x}{loc}")));
    }
    for w in app.dbg.watchpoints() {
        lines.push(Line::from(format!(
            "watch {:#x} ({} bytes, {:?})",
            w.addr, w.len, w.kind
        )));
    }
    if app.dbg.catch().ecall {
        lines.push(Line::from("catch every ecall"));
    }
    for nr in &app.dbg.catch().syscalls {
        let name = zeroos::syscall_name(*nr, app.dbg.guest().machine.xlen()).unwrap_or("?");
        lines.push(Line::from(format!("catch syscall {nr} ({name})")));
    }
    f.render_widget(
        Paragraph::new(lines).block(block(" breakpoints ".into(), false)),
        r,
    );
}

fn memory(f: &mut Frame, app: &App, r: Rect) {
    let mem = &app.dbg.guest().machine.mem;
    let mut lines = Vec::new();
    for row in 0..r.height.saturating_sub(2) as u64 {
        let a = app.mem_addr.wrapping_add(row * 8);
        let mut hex = String::new();
        let mut asc = String::new();
        for i in 0..8 {
            match mem.peek_u8(a + i) {
                Ok(b) => {
                    hex += &format!("{b:02x} ");
                    asc.push(if (0x20..0x7f).contains(&b) {
                        b as char
                    } else {
                        '.'
                    });
                }
                Err(_) => {
                    hex += "?? ";
                    asc.push(' ');
                }
            }
        }
        lines.push(Line::from(format!("{a:#010x}  {hex} {asc}")));
    }
    f.render_widget(
        Paragraph::new(lines).block(block(" memory ".into(), app.pane == Pane::Memory)),
        r,
    );
}

fn output(f: &mut Frame, app: &App, r: Rect) {
    let text = String::from_utf8_lossy(app.dbg.stdout()).into_owned();
    let all: Vec<&str> = text.lines().collect();
    let h = r.height.saturating_sub(2) as usize;
    let end = all.len().saturating_sub(app.out_scroll);
    let start = end.saturating_sub(h);
    let lines: Vec<Line> = all[start..end]
        .iter()
        .map(|l| Line::from(l.to_string()))
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(block(" guest stdout ".into(), app.pane == Pane::Output)),
        r,
    );
}

fn syscalls(f: &mut Frame, app: &App, r: Rect) {
    let h = r.height.saturating_sub(2) as usize;
    let log = app.dbg.syscall_log();
    let lines: Vec<Line> = log
        .skip(app.dbg.syscall_log().len().saturating_sub(h))
        .map(|r| Line::from(r.call_text()))
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(block(" syscalls ".into(), false)),
        r,
    );
}
