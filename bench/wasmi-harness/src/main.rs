//! Runs the compute kernels of `bench/kernels/kernels.c` (built as `kernels_raw.wasm`: `set_n(n)`,
//! then `fib()`, `sha256()`, `matmul()` returning a checksum) on the wasmi crate directly, as two
//! engines: stock wasmi (`Config::default()`) and wasmi with fuel metering on (what our runtime uses).
//!
//! usage: wasmi-harness KERNELS_RAW.wasm REPS NAME=N...
//! prints one line per run: `ENGINE<TAB>NAME<TAB>NANOSECONDS<TAB>CHECKSUM`.
use std::time::Instant;
use wasmi::{Config, Engine, Linker, Module, Store};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: wasmi-harness KERNELS_RAW.wasm REPS NAME=N...");
        std::process::exit(2);
    }
    let wasm = std::fs::read(&args[1]).expect("read wasm");
    let reps: usize = args[2].parse().expect("REPS");
    let kernels: Vec<(String, u64)> = args[3..]
        .iter()
        .map(|a| {
            let (name, n) = a.split_once('=').expect("NAME=N");
            (name.to_string(), n.parse().expect("N"))
        })
        .collect();
    // WASMI_HARNESS_ENGINE=wasmi (or wasmi+fuel) runs one engine only (for callgrind counts).
    let only = std::env::var("WASMI_HARNESS_ENGINE").ok();
    for (engine_name, fuel) in [("wasmi", false), ("wasmi+fuel", true)] {
        if only.as_deref().is_some_and(|o| o != engine_name) {
            continue;
        }
        let mut config = Config::default();
        config.consume_fuel(fuel);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, &wasm).expect("compile");
        let mut store = Store::new(&engine, ());
        if fuel {
            store.set_fuel(u64::MAX).unwrap();
        }
        let linker = Linker::<()>::new(&engine);
        let instance = linker.instantiate_and_start(&mut store, &module).expect("instantiate");
        let set_n = instance.get_typed_func::<i64, ()>(&store, "set_n").expect("set_n");
        for (name, n) in &kernels {
            let f = instance.get_typed_func::<(), i64>(&store, name).expect("kernel export");
            set_n.call(&mut store, *n as i64).unwrap();
            f.call(&mut store, ()).expect("warm-up run");
            for _ in 0..reps {
                let t = Instant::now();
                let sum = f.call(&mut store, ()).expect("run");
                let ns = t.elapsed().as_nanos();
                println!("{engine_name}\t{name}\t{ns}\t{}", sum as u64);
            }
        }
    }
}
