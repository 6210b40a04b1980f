//! Runs a flat binary on ZKsync Airbender's own simulator
//! (`risc_v_simulator`, machine configuration with both delegations) from
//! address 0, the oracle words given as hex arguments, and prints
//! x10..x17 at the end (the simulator prints "Took N cycles to finish").
use risc_v_simulator::abstractions::non_determinism::QuasiUARTSource;
use risc_v_simulator::cycle::IMIsaConfigWithAllDelegations;
use risc_v_simulator::runner::run_simple_with_entry_point_and_non_determimism_source_for_config;
use risc_v_simulator::sim::SimulatorConfig;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let oracle: Vec<u32> = args[2..]
        .iter()
        .map(|s| u32::from_str_radix(s, 16).expect("hex oracle word"))
        .collect();
    let mut config = SimulatorConfig::simple(&args[1]);
    config.entry_point = 0;
    let (_, state) = run_simple_with_entry_point_and_non_determimism_source_for_config::<
        _,
        IMIsaConfigWithAllDelegations,
    >(config, QuasiUARTSource::new_with_reads(oracle));
    let out: Vec<String> = state.registers[10..18]
        .iter()
        .map(|r| format!("{r:08x}"))
        .collect();
    println!("OUTPUT {}", out.join(" "));
}
