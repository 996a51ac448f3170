//! `fake-azure`: the fake tenant behind a loopback HTTP server (Entra ID v2 + ARM, CORS for
//! one app origin, injected faults), `fake-azure generate` to write scenario files, and
//! `fake-azure schema` to print their JSON Schema.

mod cli;
mod cors;
mod pool;
/// The loader's own types of the scenario file (the library keeps them private).
#[path = "../../scenario/shape.rs"]
mod scenario_shape;
mod server;
mod witness;

use std::io::{BufWriter, Write};
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use fake_azure::FakeAzure;

fn main() -> ExitCode {
    match cli::parse(std::env::args_os().skip(1)) {
        Ok(cli::Command::Help) => {
            println!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        Ok(cli::Command::Generate(options)) => generate(&options),
        Ok(cli::Command::Schema) => {
            let schema = schemars::schema_for!(scenario_shape::Scenario);
            println!("{}", serde_json::to_string_pretty(&schema).expect("a schema serializes"));
            ExitCode::SUCCESS
        }
        Ok(cli::Command::Serve(serve)) => run(*serve),
        Err(message) => {
            eprintln!("fake-azure: {message}\n\n{}", cli::USAGE);
            ExitCode::from(2)
        }
    }
}

fn generate(options: &fake_azure::generate::GenerateOptions) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match fake_azure::generate::write_scenario(&mut out, options).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fake-azure generate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(serve: cli::Serve) -> ExitCode {
    let json = match std::fs::read_to_string(&serve.scenario) {
        Ok(json) => json,
        Err(e) => return fail(&format!("cannot read {}: {e}", serve.scenario.display())),
    };
    let witness = serve.witness.then(|| serve.options.faults.clone());
    let azure = match FakeAzure::from_scenario_json(&json, serve.options) {
        Ok(azure) => azure,
        Err(e) => return fail(&format!("{}: {e}", serve.scenario.display())),
    };
    // The server runs until killed: do not keep a benchmark-sized file in memory all along.
    drop(json);
    let listener = match TcpListener::bind(serve.listen) {
        Ok(listener) => listener,
        Err(e) => return fail(&format!("cannot listen on {}: {e}", serve.listen)),
    };
    let address = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| serve.listen.to_string());
    // Tests wait for exactly this line.
    println!("fake-azure listening on http://{address}");
    let _ = std::io::stdout().flush();
    let cors = cors::Cors::new(&serve.app_origin);
    let shared = server::Shared { azure: Mutex::new(azure), cors, quiet: serve.quiet, witness };
    server::run(listener, Arc::new(shared));
    ExitCode::SUCCESS
}

fn fail(message: &str) -> ExitCode {
    eprintln!("fake-azure: {message}");
    ExitCode::FAILURE
}
