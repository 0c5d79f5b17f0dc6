"""What machine a benchmark ran on: the CPU, its vector ISA, and the CPU the build targets.

  machine.py --build-flags "$(scripts/build-flags.sh)" > RUN/machine.json

CPU model: lscpu's "Model name" (falling back to /proc/cpuinfo's "model name"); family and model
from /proc/cpuinfo; the LLVM name of the host CPU (what `-target-cpu native` means) from clang.
Vector ISA from the CPU flags: AVX-512 (avx512f), AVX2 (+FMA or not), NEON/SVE, or other.
Build target: the `-target-cpu` in scripts/build-flags.sh's output (`native` resolved by clang)
and the ISA that target enables (clang's predefined macros), so an x86-64-v3 build on an AVX-512
machine reads "AVX2". These are the flags the script prints now; the binary's mtime is beside them.
Code: the repository's commit and whether tracked files differ from it (a figure from a dirty
tree names what was uncommitted).
"""
import argparse
import json
import os
import re
import subprocess

# Flags worth naming in a header (those the kernels or the peers' engines can use).
NOTABLE = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile", "asimd", "sve"]


def cpuinfo():
    """The first processor's fields of /proc/cpuinfo (empty off Linux)."""
    fields = {}
    try:
        for line in open("/proc/cpuinfo"):
            if not line.strip():
                break
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
    except OSError:
        pass
    return fields


def lscpu_model_name():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    match = re.search(r"^Model name:\s*(.+)$", out, re.M)
    return match.group(1).strip() if match else ""


def vector_isa(flags):
    """The widest vector ISA a set of CPU flags (or compiler macros, lower-cased) offers."""
    if "avx512f" in flags:
        return "AVX-512"
    if "avx2" in flags:
        return "AVX2+FMA" if "fma" in flags else "AVX2 (no FMA)"
    if "sve" in flags:
        return "SVE"
    if "asimd" in flags or "neon" in flags:
        return "NEON"
    return "other (no AVX2, AVX-512 or NEON)"


def clang_macros(cpu):
    """clang's predefined macros for a target CPU (-march, or -mcpu where -march refuses it)."""
    for option in ("-march=", "-mcpu="):
        try:
            run = subprocess.run(["clang", option + cpu, "-dM", "-E", "-x", "c", os.devnull],
                                 capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return None
        if run.returncode == 0:
            return run.stdout
    return None


def llvm_cpu(cpu="native"):
    """The LLVM CPU name clang resolves `cpu` to (e.g. native -> znver4), or "" if unknown."""
    try:
        run = subprocess.run(["clang", f"-march={cpu}", "-E", "-v", "-x", "c", os.devnull],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return ""
    match = re.search(r'"-target-cpu" "([^"]+)"|-target-cpu (\S+)', run.stderr)
    return (match.group(1) or match.group(2)) if match else ""


def target_isa(cpu):
    macros = clang_macros(cpu)
    if macros is None:
        return "unknown (no clang to ask)"
    names = {"__AVX512F__": "avx512f", "__AVX2__": "avx2", "__FMA__": "fma",
             "__ARM_FEATURE_SVE": "sve", "__ARM_NEON": "neon"}
    return vector_isa({flag for macro, flag in names.items() if re.search(rf"#define {macro}\b", macros)})


def code_version():
    """'git abc1234 (clean)' or 'git abc1234 + uncommitted changes in N files: a, b, ...'."""
    repo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    try:
        head = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
        status = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    changed = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    if not changed:
        return f"git {head.stdout.strip()} (clean)"
    shown = ", ".join(changed[:5]) + (", ..." if len(changed) > 5 else "")
    return f"git {head.stdout.strip()} + uncommitted changes in {len(changed)} files: {shown}"


def describe(build_flags=""):
    info = cpuinfo()
    flags = set((info.get("flags") or info.get("Features") or "").split())
    name = lscpu_model_name() or info.get("model name") or info.get("CPU part") or "unknown CPU"
    match = re.search(r"-target-cpu(?: -Xswiftc)? (\S+)", build_flags)
    target = match.group(1) if match else ""
    return {
        "cpu_model": name,
        "cpu_family": info.get("cpu family", ""),
        "cpu_model_number": info.get("model", ""),
        "llvm_cpu": llvm_cpu(),
        "cpus": os.cpu_count(),
        "vector_isa": vector_isa(flags),
        "notable_flags": [f for f in NOTABLE if f in flags],
        "build_flags": build_flags,
        "target_cpu": target,
        "target_llvm_cpu": llvm_cpu(target) if target == "native" else target,
        "target_isa": target_isa(target) if target else "",
        "code": code_version(),
    }


def short_label(m):
    """'AMD EPYC (family 25 model 17, znver4 = Zen 4), AVX-512': for headers and chart titles."""
    core = m["llvm_cpu"] + (f" = Zen {m['llvm_cpu'][-1]}" if re.fullmatch(r"znver\d", m["llvm_cpu"]) else "")
    ident = ", ".join(x for x in (f"family {m['cpu_family']} model {m['cpu_model_number']}"
                                  if m["cpu_family"] else "", core) if x)
    return f"{m['cpu_model']}{f' ({ident})' if ident else ''}, {m['vector_isa']}"


def header_lines(m):
    """Markdown bullet lines naming the CPU, its vector ISA and the build's target."""
    target = m["target_cpu"] or "unknown"
    if m["target_llvm_cpu"] and m["target_llvm_cpu"] != target:
        target += f" = {m['target_llvm_cpu']}"
    return [f"- CPU: {short_label(m)} ({', '.join(m['notable_flags']) or 'no vector flags of note'}); "
            f"{m['cpus']} CPUs",
            f"- Build's target CPU: {target} ({m['target_isa'] or 'ISA unknown'}); "
            f"`scripts/build-flags.sh` printed `{m['build_flags'] or '?'}`",
            f"- Code: {m.get('code', 'unknown')}"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-flags", default="", help="scripts/build-flags.sh's output")
    print(json.dumps(describe(ap.parse_args().build_flags), indent=1))


if __name__ == "__main__":
    main()
