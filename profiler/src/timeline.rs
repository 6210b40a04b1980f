//! The profile's timeline in the formats of two profile viewers:
//!
//! - the Firefox Profiler's processed profile format (profiler.firefox.com,
//!   what SP1's and ZisK's own profilers write), through
//!   `fxprof-processed-profile`, the crate samply writes it with;
//! - speedscope's file format (a "sampled" profile; schema
//!   `file-format-schema.json` of the `speedscope` npm package).
//!
//! Both show the samples of [`crate::profile::Timeline`] in cycle order,
//! so phases of a run are visible; time is the cycle count (one cycle shown
//! as one nanosecond in the Firefox Profiler, unit "none" in speedscope).

use crate::profile::ROOT;
use crate::report::Profile;
use fxprof_processed_profile::{
    CategoryColor, CategoryPairHandle, CpuDelta, Frame, FrameFlags, FrameInfo,
    Profile as FxProfile, ReferenceTimestamp, SamplingInterval, StackHandle, Timestamp,
};
use rustc_hash::FxHashMap;

/// What a frame is, from its name: `[syscall] ...`, `[precompile] ...`
/// and `[inline] ...` (platform calls), `[host] ...`, `[paging]`,
/// `[kernel]` (the platform's own work), otherwise a function.
fn kind(name: &str) -> usize {
    if name.starts_with("[syscall]") {
        1
    } else if name.starts_with("[precompile]") || name.starts_with("[inline]") {
        2
    } else if name.starts_with('[') {
        3
    } else {
        0
    }
}

impl Profile {
    /// The frames of each timeline sample's stack, outermost first (the
    /// `[root]` frame left out), with a cache per node.
    fn sample_stacks(&self) -> Vec<(u64, Vec<u32>)> {
        self.timeline
            .samples
            .iter()
            .map(|&(cycle, node)| {
                let names = if node == ROOT {
                    Vec::new()
                } else {
                    crate::profile::path_of(&self.nodes, node)
                };
                (cycle, names)
            })
            .collect()
    }

    /// The Firefox Profiler's processed profile (JSON) of the timeline:
    /// one thread named after the guest, a sample every
    /// [`Profile::timeline_interval`] cycles, frames coloured by kind
    /// (function, syscall, precompile/inline, platform).
    pub fn gecko(&self, guest: &str) -> serde_json::Result<Vec<u8>> {
        let interval = self.timeline.interval.max(1);
        let mut p = FxProfile::new(
            &format!("zkdbg {guest}"),
            ReferenceTimestamp::from_millis_since_unix_epoch(0.0),
            SamplingInterval::from_nanos(interval),
        );
        let cats: [CategoryPairHandle; 4] = [
            p.add_category("Function", CategoryColor::Blue).into(),
            p.add_category("Syscall", CategoryColor::Orange).into(),
            p.add_category("Precompile", CategoryColor::Red).into(),
            p.add_category("Platform", CategoryColor::Purple).into(),
        ];
        let process = p.add_process(guest, 1, Timestamp::from_nanos_since_reference(0));
        let thread = p.add_thread(process, 1, Timestamp::from_nanos_since_reference(0), true);
        p.set_thread_name(thread, guest);
        let mut stacks: FxHashMap<u32, Option<StackHandle>> = FxHashMap::default();
        for &(cycle, node) in &self.timeline.samples {
            let stack = match stacks.get(&node) {
                Some(s) => *s,
                None => {
                    let mut parent: Option<StackHandle> = None;
                    if node != ROOT {
                        for id in crate::profile::path_of(&self.nodes, node) {
                            let name = self.sym.name(id);
                            let s = p.intern_string(name);
                            let frame = p.intern_frame(
                                thread,
                                FrameInfo {
                                    frame: Frame::Label(s),
                                    category_pair: cats[kind(name)],
                                    flags: FrameFlags::empty(),
                                },
                            );
                            parent = Some(p.intern_stack(thread, parent, frame));
                        }
                    }
                    stacks.insert(node, parent);
                    parent
                }
            };
            p.add_sample(
                thread,
                Timestamp::from_nanos_since_reference(cycle),
                stack,
                CpuDelta::from_nanos(interval),
                1,
            );
        }
        serde_json::to_vec(&p)
    }

    /// speedscope's file (JSON) of the timeline: one "sampled" profile in
    /// cycles (unit "none"), each sample weighing the interval; frames
    /// carry `file` and `line` where DWARF knows them.
    pub fn speedscope(&self, guest: &str) -> serde_json::Value {
        let mut frames: Vec<serde_json::Value> = Vec::new();
        let mut index: FxHashMap<u32, usize> = FxHashMap::default();
        let mut samples = Vec::new();
        let mut weights = Vec::new();
        for (_, names) in self.sample_stacks() {
            let stack: Vec<usize> = names
                .into_iter()
                .map(|id| {
                    *index.entry(id).or_insert_with(|| {
                        let mut f = serde_json::json!({ "name": self.sym.name(id) });
                        if let Some(loc) = self.sym.site(id).and_then(|s| s.location.as_deref()) {
                            match loc
                                .rsplit_once(':')
                                .and_then(|(f, l)| Some((f, l.parse::<u64>().ok()?)))
                            {
                                Some((file, line)) => {
                                    f["file"] = file.into();
                                    f["line"] = line.into();
                                }
                                None => f["file"] = loc.into(),
                            }
                        }
                        frames.push(f);
                        frames.len() - 1
                    })
                })
                .collect();
            samples.push(stack);
            weights.push(self.timeline.interval);
        }
        let end = self.timeline.interval.saturating_mul(weights.len() as u64);
        serde_json::json!({
            "$schema": "https://www.speedscope.app/file-format-schema.json",
            "exporter": format!("zkdbg {}", env!("CARGO_PKG_VERSION")),
            "name": guest,
            "activeProfileIndex": 0,
            "shared": { "frames": frames },
            "profiles": [{
                "type": "sampled",
                "name": format!("{guest} (cycles)"),
                "unit": "none",
                "startValue": 0,
                "endValue": end,
                "samples": samples,
                "weights": weights,
            }],
        })
    }

    /// Cycles between two timeline samples (0: no timeline was taken).
    pub fn timeline_interval(&self) -> u64 {
        self.timeline.interval
    }

    /// The timeline's samples: (cycle, stack as frame names, outermost
    /// first).
    pub fn timeline(&self) -> Vec<(u64, Vec<String>)> {
        self.sample_stacks()
            .into_iter()
            .map(|(c, ids)| {
                (
                    c,
                    ids.into_iter()
                        .map(|i| self.sym.name(i).to_string())
                        .collect(),
                )
            })
            .collect()
    }
}
