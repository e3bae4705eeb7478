# -*- Python -*-
import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "NNC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".nn", ".test", ".py"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.nnc_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%nnc_src", config.nnc_src_root))
config.substitutions.append(("%nnc_lib", config.nnc_lib_dir))
config.substitutions.append(("%stdlib", os.path.join(config.nnc_src_root, "stdlib")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.nnc_tools_dir, append_path=True)
# Keep PyTorch/NumPy reference computations single-threaded and quiet.
config.environment["OMP_NUM_THREADS"] = "1"
config.environment.pop("OPENBLAS_CORETYPE", None)

# A sanitized build (cmake -DNNC_SANITIZE=ON, scripts/test.sh --sanitize):
# any report fails its test; leaks are reported at exit.
if config.nnc_sanitize:
    config.available_features.add("sanitized")
    config.environment["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:exitcode=86"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    config.environment["LSAN_OPTIONS"] = "suppressions=" + os.path.join(
        config.nnc_src_root, "test", "lsan.supp")
    # Tests that link libnnrt.a themselves (`cc fake_linear.c libnnrt.a ...`)
    # link the sanitized runtime with the compiler that built it.
    config.substitutions.insert(0, (
        r"(?<![-\w/.%])cc ",
        "clang-22 -fsanitize=address,undefined -fsanitize-link-c++-runtime "))

tool_dirs = [config.nnc_tools_dir, config.llvm_tools_dir]
tools = ["nn-opt", "nnc", "nnrt-selftest"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Features that gate tests needing optional tools.
if shutil.which("clang-14") or shutil.which("clang"):
    config.available_features.add("clang")
# ptxas assembles the PTX of --target=cuda where the CUDA toolkit is installed
# (these machines: /usr/local/cuda/bin); CI may have none.
ptxas = shutil.which("ptxas") or shutil.which("ptxas", path="/usr/local/cuda/bin")
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
# Debian's clang-format for LLVM 22 checks the sources' format (Style/format.test;
# scripts/setup.sh installs it).
clang_format = shutil.which("clang-format-22") or shutil.which(
    "clang-format", path=config.llvm_tools_dir)
if clang_format:
    config.available_features.add("clang-format")
    config.substitutions.append(("%clang_format", clang_format))
# Open MPI's launcher runs the data-parallel tests (scripts/setup.sh installs it).
if shutil.which("mpirun"):
    config.available_features.add("mpirun")
if os.environ.get("NNC_FUZZ_SECONDS"):
    config.available_features.add("long-fuzz")
