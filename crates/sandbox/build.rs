//! Builds `exec/exec.c`, the box's last start-up step (see its header), into a static
//! executable of a few kilobytes that the jail embeds and runs from a sealed memfd.

use std::path::PathBuf;

fn main() {
    let source = "exec/exec.c";
    println!("cargo::rerun-if-changed={source}");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let binary = out.join("judgebox-exec");
    // cc finds the C compiler for the target (CC, CC_<target>, or the default) and its flags.
    let compiler = cc::Build::new().opt_level(2).get_compiler();
    let mut cmd = compiler.to_command();
    cmd.args([
        "-static",
        "-nostdlib",
        "-ffreestanding",
        "-fno-builtin",
        "-fno-stack-protector",
        "-fno-asynchronous-unwind-tables",
        "-fno-pie",
        "-no-pie",
        "-Wall",
        "-Werror",
        "-Wl,--build-id=none",
        "-Wl,-z,noexecstack",
        "-s",
        "-o",
    ])
    .arg(&binary)
    .arg(source);
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("running the C compiler for {source}: {e}"));
    assert!(status.success(), "compiling {source} failed: {status}");
}
