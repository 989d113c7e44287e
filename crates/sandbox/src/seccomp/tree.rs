//! Compiling an allowlist into a BPF binary search over syscall numbers.
//!
//! The syscall number space is cut into segments that share one outcome: a run of
//! consecutive always-allowed numbers is one segment, a gap between them another, and each
//! syscall with argument rules a segment of its own. The program searches the segment
//! boundaries:
//!
//! ```text
//! ld arch; jeq X86_64 ? +1 : +0; ret KILL_PROCESS
//! ld nr
//! node:  jge START_OF_RIGHT ? RIGHT : +0; <left subtree>; <right subtree>
//! leaf:  ret MATCH | ret MISMATCH | <argument checks..., ret MATCH per rule; ret MISMATCH>
//! ```
//!
//! Every leaf ends in a return, so no path falls through into another segment's code.

use std::collections::BTreeMap;
use std::str::FromStr;

use seccompiler::{sock_filter, BpfProgram};
use serde::Deserialize;

const BPF_LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
const BPF_JEQ: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const BPF_JGT: u16 = 0x25;
const BPF_JGE: u16 = 0x35;
const BPF_JA: u16 = 0x05;
const BPF_AND: u16 = 0x54; // BPF_ALU | BPF_AND | BPF_K
const BPF_RET: u16 = 0x06; // BPF_RET | BPF_K

const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;
/// Offsets in `struct seccomp_data`.
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
const OFF_ARGS: u32 = 16;

fn stmt(code: u16, k: u32) -> sock_filter {
    sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> sock_filter {
    sock_filter { code, jt, jf, k }
}

/// A seccompiler action, as written in its JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Action {
    Allow,
    Errno(u32),
    KillThread,
    KillProcess,
    Log,
    Trace(u32),
    Trap,
}

impl Action {
    fn code(self) -> u32 {
        match self {
            Action::Allow => 0x7fff_0000,
            Action::Errno(e) => 0x0005_0000 | (e & 0xffff),
            Action::KillThread => 0,
            Action::KillProcess => SECCOMP_RET_KILL_PROCESS,
            Action::Log => 0x7ffc_0000,
            Action::Trace(t) => 0x7ff0_0000 | (t & 0xffff),
            Action::Trap => 0x0003_0000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Width {
    Dword,
    Qword,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    MaskedEq(u64),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Condition {
    index: u8,
    #[serde(rename = "type")]
    width: Width,
    op: Op,
    val: u64,
    #[serde(default, rename = "comment")]
    _comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    syscall: String,
    #[serde(default)]
    args: Option<Vec<Condition>>,
    #[serde(default, rename = "comment")]
    _comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Filter {
    mismatch_action: Action,
    match_action: Action,
    filter: Vec<Rule>,
}

/// A policy: which syscalls match, under which argument rules.
#[derive(Debug, Clone)]
pub struct Policy {
    on_match: u32,
    on_mismatch: u32,
    /// Syscall number → its rules (conditions ANDed, rules ORed). An empty rule list means
    /// "always".
    syscalls: BTreeMap<u32, Vec<Vec<Condition>>>,
}

impl Policy {
    /// Reads the one filter of a seccompiler JSON file.
    pub fn from_json(json: &str) -> Result<Policy, String> {
        let filters: BTreeMap<String, Filter> =
            serde_json::from_str(json).map_err(|e| e.to_string())?;
        let Some(filter) = filters.into_values().next() else {
            return Err("no filter".into());
        };
        let mut syscalls: BTreeMap<u32, Vec<Vec<Condition>>> = BTreeMap::new();
        let mut always = std::collections::BTreeSet::new();
        for rule in filter.filter {
            let nr = syscalls::Sysno::from_str(&rule.syscall)
                .map_err(|()| format!("unknown syscall {:?}", rule.syscall))?
                .id() as u32;
            match rule.args {
                None => {
                    always.insert(nr);
                    syscalls.insert(nr, Vec::new());
                }
                Some(conds) if !always.contains(&nr) => {
                    for c in &conds {
                        if c.index > 5 {
                            return Err(format!(
                                "{}: argument index {} is past 5",
                                rule.syscall, c.index
                            ));
                        }
                        if c.width == Width::Qword
                            && !matches!(c.op, Op::Eq | Op::Ne | Op::MaskedEq(_))
                        {
                            return Err(format!("{}: qword comparisons other than eq, ne, masked_eq are not supported", rule.syscall));
                        }
                    }
                    syscalls.entry(nr).or_default().push(conds);
                }
                Some(_) => {}
            }
        }
        Ok(Policy {
            on_match: filter.match_action.code(),
            on_mismatch: filter.mismatch_action.code(),
            syscalls,
        })
    }

    pub fn compile(&self) -> Result<BpfProgram, String> {
        let mut prog = vec![
            stmt(BPF_LD_W_ABS, OFF_ARCH),
            jump(BPF_JEQ, AUDIT_ARCH_X86_64, 1, 0),
            stmt(BPF_RET, SECCOMP_RET_KILL_PROCESS),
            stmt(BPF_LD_W_ABS, OFF_NR),
        ];
        prog.extend(self.subtree(&self.segments())?);
        Ok(prog)
    }

    /// The number space cut into runs of one outcome, in order, starting at 0.
    fn segments(&self) -> Vec<Segment<'_>> {
        let mut segs: Vec<Segment<'_>> = Vec::new();
        let mut next = 0u32;
        for (&nr, rules) in &self.syscalls {
            if nr > next {
                segs.push(Segment {
                    start: next,
                    outcome: Outcome::Mismatch,
                });
            }
            let outcome = if rules.is_empty() {
                Outcome::Match
            } else {
                Outcome::Rules(rules)
            };
            let extends = matches!((segs.last(), &outcome), (Some(s), Outcome::Match) if s.outcome == Outcome::Match && nr == next);
            if !extends {
                segs.push(Segment { start: nr, outcome });
            }
            next = nr + 1;
        }
        segs.push(Segment {
            start: next,
            outcome: Outcome::Mismatch,
        });
        segs
    }

    fn subtree(&self, segs: &[Segment<'_>]) -> Result<Vec<sock_filter>, String> {
        if let [only] = segs {
            return match only.outcome {
                Outcome::Match => Ok(vec![stmt(BPF_RET, self.on_match)]),
                Outcome::Mismatch => Ok(vec![stmt(BPF_RET, self.on_mismatch)]),
                Outcome::Rules(rules) => self.block(rules),
            };
        }
        let (left, right) = segs.split_at(segs.len() / 2);
        let left = self.subtree(left)?;
        let right_code = self.subtree(right)?;
        let mut code = match u8::try_from(left.len()) {
            Ok(skip) => vec![jump(BPF_JGE, right[0].start, skip, 0)],
            // Too far for a conditional jump's 8-bit offset: go through a long jump.
            Err(_) => vec![
                jump(BPF_JGE, right[0].start, 0, 1),
                stmt(BPF_JA, left.len() as u32),
            ],
        };
        code.extend(left);
        code.extend(right_code);
        Ok(code)
    }

    /// The code for one syscall: ends in a return on every path.
    fn block(&self, rules: &[Vec<Condition>]) -> Result<Vec<sock_filter>, String> {
        if rules.is_empty() {
            return Ok(vec![stmt(BPF_RET, self.on_match)]);
        }
        let mut code = Vec::new();
        for conds in rules {
            // Conditions jump to FAIL (the next rule) by a patched offset.
            let mut rule: Vec<(sock_filter, Fail)> = Vec::new();
            for c in conds {
                condition(c, &mut rule);
            }
            rule.push((stmt(BPF_RET, self.on_match), Fail::None));
            let len = rule.len();
            for (i, (mut insn, fail)) in rule.into_iter().enumerate() {
                let to_end =
                    u8::try_from(len - i - 1).map_err(|_| "argument rule too long".to_string())?;
                match fail {
                    Fail::None => {}
                    Fail::OnTrue => insn.jt = to_end,
                    Fail::OnFalse => insn.jf = to_end,
                }
                code.push(insn);
            }
        }
        code.push(stmt(BPF_RET, self.on_mismatch));
        Ok(code)
    }
}

/// A run of syscall numbers with one outcome, from `start` to the next segment's start.
#[derive(Debug)]
struct Segment<'a> {
    start: u32,
    outcome: Outcome<'a>,
}

#[derive(Debug, PartialEq)]
enum Outcome<'a> {
    Match,
    Mismatch,
    Rules(&'a [Vec<Condition>]),
}

impl PartialEq for Condition {
    fn eq(&self, other: &Self) -> bool {
        (self.index, self.width, self.op, self.val)
            == (other.index, other.width, other.op, other.val)
    }
}

/// Which branch of an instruction leads to the rule's failure.
#[derive(Debug, Clone, Copy)]
enum Fail {
    None,
    OnTrue,
    OnFalse,
}

fn condition(c: &Condition, out: &mut Vec<(sock_filter, Fail)>) {
    let lo_off = OFF_ARGS + 8 * u32::from(c.index);
    let hi_off = lo_off + 4;
    let (val_lo, val_hi) = (c.val as u32, (c.val >> 32) as u32);
    let load = |off| (stmt(BPF_LD_W_ABS, off), Fail::None);
    let cmp = |code, k, fail| (jump(code, k, 0, 0), fail);
    match (c.width, c.op) {
        (Width::Dword, op) => {
            out.push(load(lo_off));
            match op {
                Op::Eq => out.push(cmp(BPF_JEQ, val_lo, Fail::OnFalse)),
                Op::Ne => out.push(cmp(BPF_JEQ, val_lo, Fail::OnTrue)),
                Op::Gt => out.push(cmp(BPF_JGT, val_lo, Fail::OnFalse)),
                Op::Ge => out.push(cmp(BPF_JGE, val_lo, Fail::OnFalse)),
                Op::Lt => out.push(cmp(BPF_JGE, val_lo, Fail::OnTrue)),
                Op::Le => out.push(cmp(BPF_JGT, val_lo, Fail::OnTrue)),
                Op::MaskedEq(mask) => {
                    out.push((stmt(BPF_AND, mask as u32), Fail::None));
                    out.push(cmp(BPF_JEQ, val_lo, Fail::OnFalse));
                }
            }
        }
        (Width::Qword, Op::Eq) => {
            out.push(load(hi_off));
            out.push(cmp(BPF_JEQ, val_hi, Fail::OnFalse));
            out.push(load(lo_off));
            out.push(cmp(BPF_JEQ, val_lo, Fail::OnFalse));
        }
        (Width::Qword, Op::MaskedEq(mask)) => {
            out.push(load(hi_off));
            out.push((stmt(BPF_AND, (mask >> 32) as u32), Fail::None));
            out.push(cmp(BPF_JEQ, val_hi, Fail::OnFalse));
            out.push(load(lo_off));
            out.push((stmt(BPF_AND, mask as u32), Fail::None));
            out.push(cmp(BPF_JEQ, val_lo, Fail::OnFalse));
        }
        (Width::Qword, Op::Ne) => {
            // Passes if either half differs: a differing high half jumps past the low test
            // (over `ld lo; jeq`) to the rest of the rule.
            out.push(load(hi_off));
            out.push((jump(BPF_JEQ, val_hi, 0, 2), Fail::None));
            out.push(load(lo_off));
            out.push(cmp(BPF_JEQ, val_lo, Fail::OnTrue));
        }
        (Width::Qword, _) => unreachable!("refused in from_json"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use judgebox_spec::Profiles;

    /// Runs a classic-BPF seccomp program on one `seccomp_data`.
    fn run(prog: &[sock_filter], nr: u32, arch: u32, args: [u64; 6]) -> u32 {
        let mut data = [0u8; 64];
        data[0..4].copy_from_slice(&nr.to_ne_bytes());
        data[4..8].copy_from_slice(&arch.to_ne_bytes());
        for (i, a) in args.iter().enumerate() {
            data[16 + 8 * i..24 + 8 * i].copy_from_slice(&a.to_ne_bytes());
        }
        let (mut pc, mut acc) = (0usize, 0u32);
        loop {
            let insn = &prog[pc];
            pc += 1;
            match insn.code {
                0x20 => {
                    let o = insn.k as usize;
                    acc = u32::from_ne_bytes(data[o..o + 4].try_into().unwrap());
                }
                0x54 => acc &= insn.k,
                0x05 => pc += insn.k as usize,
                0x06 => return insn.k,
                0x15 | 0x25 | 0x35 | 0x45 => {
                    let taken = match insn.code {
                        0x15 => acc == insn.k,
                        0x25 => acc > insn.k,
                        0x35 => acc >= insn.k,
                        _ => acc & insn.k != 0,
                    };
                    pc += if taken { insn.jt } else { insn.jf } as usize;
                }
                other => panic!("unexpected BPF opcode {other:#x} at {}", pc - 1),
            }
        }
    }

    /// The tree and seccompiler's linear program decide the same for every syscall number,
    /// ABI and a spread of argument values that the rules care about.
    #[test]
    fn tree_agrees_with_seccompiler_everywhere() {
        let json = &Profiles::builtin()
            .unwrap()
            .get("run")
            .unwrap()
            .seccomp_json
            .clone();
        let linear = crate::seccomp::compile_linear(json).unwrap();
        let tree = Policy::from_json(json).unwrap().compile().unwrap();
        let values: [u64; 12] = [
            0,
            1,
            8,
            40,
            0x5412,
            0x541c,
            0xffff_ffff,
            0x1_0000_5412,
            0x2_0000,
            0x1000_0000,
            0x7e02_0000,
            0x0001_0f00, // CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD-ish
        ];
        let mut checked = 0;
        for arch in [AUDIT_ARCH_X86_64, 0x4000_0003 /* i386 */] {
            for nr in (0u32..600).chain([0x4000_0000, 0x4000_0027, 0x4000_0200, u32::MAX]) {
                for a0 in values {
                    for a1 in [0u64, 0x5412, 0x541c, 0x5401] {
                        let args = [a0, a1, 0, 0, 0, 0];
                        assert_eq!(
                            run(&tree, nr, arch, args),
                            run(&linear, nr, arch, args),
                            "nr {nr} arch {arch:#x} args {args:x?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 50_000);
    }

    #[test]
    fn qword_and_dword_operators_match_seccompiler() {
        for (width, op) in [
            ("qword", "\"eq\""),
            ("qword", "\"ne\""),
            ("qword", "{\"masked_eq\": 4294967552}"),
            ("dword", "\"eq\""),
            ("dword", "\"ne\""),
            ("dword", "\"lt\""),
            ("dword", "\"le\""),
            ("dword", "\"gt\""),
            ("dword", "\"ge\""),
            ("dword", "{\"masked_eq\": 65280}"),
        ] {
            let json = format!(
                r#"{{"f": {{"mismatch_action": {{"errno": 1}}, "match_action": "allow", "filter": [
                    {{"syscall": "read", "args": [{{"index": 2, "type": "{width}", "op": {op}, "val": 4294967552}}]}},
                    {{"syscall": "read", "args": [{{"index": 0, "type": "dword", "op": "eq", "val": 7}}]}},
                    {{"syscall": "write"}}]}}}}"#
            );
            let linear = crate::seccomp::compile_linear(&json).unwrap();
            let tree = Policy::from_json(&json).unwrap().compile().unwrap();
            for nr in [0u32, 1, 2] {
                for a0 in [0u64, 7] {
                    for a2 in [
                        0u64,
                        256,
                        4294967552,
                        4294967553,
                        1 << 33,
                        0xff00,
                        0x1_0000_ff00,
                        u64::MAX,
                    ] {
                        let args = [a0, 0, a2, 0, 0, 0];
                        assert_eq!(
                            run(&tree, nr, AUDIT_ARCH_X86_64, args),
                            run(&linear, nr, AUDIT_ARCH_X86_64, args),
                            "{width} {op} nr {nr} args {args:x?}"
                        );
                    }
                }
            }
        }
    }
}
