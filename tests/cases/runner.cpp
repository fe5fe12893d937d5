// Golden-case runner: schemac_case_runner <case-dir>
//
// <case-dir>/args         one CLI argument per line (paths relative to the case dir; a trailing
//                         '\r' is dropped; an empty file means no arguments)
// <case-dir>/expected.out expected stdout     (missing = empty)
// <case-dir>/expected.err expected stderr     (missing = empty)
// <case-dir>/expected.exit expected exit code (missing = 0)
//
// Runs schemac::cli::Run in-process with the working directory set to the case dir and colours
// off, compares, prints a unified diff plus a command to reproduce on mismatch, exits 1.
// SCHEMAC_UPDATE_GOLDEN=1 rewrites the expected files instead (deleting those that would be
// empty / 0) and passes.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace fs = std::filesystem;

namespace {

bool ReadFile(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

void WriteOrRemove(const fs::path& path, const std::string& content, bool remove) {
  if (remove) {
    fs::remove(path);
    return;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string ShellQuote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                        std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Unified diff via diff(1); falls back to printing both texts if diff is unavailable.
void PrintDiff(const std::string& what, const std::string& expected, const std::string& actual) {
  char exp_path[] = "/tmp/schemac_case_expected.XXXXXX";
  char act_path[] = "/tmp/schemac_case_actual.XXXXXX";
  int efd = mkstemp(exp_path);
  int afd = mkstemp(act_path);
  bool ok = efd >= 0 && afd >= 0;
  if (ok) {
    ok = write(efd, expected.data(), expected.size()) == static_cast<ssize_t>(expected.size()) &&
         write(afd, actual.data(), actual.size()) == static_cast<ssize_t>(actual.size());
  }
  if (efd >= 0) close(efd);
  if (afd >= 0) close(afd);
  int rc = -1;
  if (ok) {
    std::cout.flush();
    std::string cmd = "diff -u --label " + ShellQuote("expected " + what) + " --label " + ShellQuote("actual " + what) +
                      " " + exp_path + " " + act_path;
    rc = std::system(cmd.c_str());
  }
  if (efd >= 0) unlink(exp_path);
  if (afd >= 0) unlink(act_path);
  if (rc == -1 || rc == 127 << 8) {
    std::cout << "--- expected " << what << "\n" << expected << "\n+++ actual " << what << "\n" << actual << "\n";
  }
}

std::string Trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\r\n"));
  s.erase(s.find_last_not_of(" \t\r\n") + 1);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: schemac_case_runner <case-dir>\n";
    return 2;
  }
  std::error_code ec;
  fs::path dir = fs::absolute(argv[1], ec).lexically_normal();
  if (dir.has_parent_path() && dir.filename().empty()) dir = dir.parent_path();  // trailing '/'
  std::string args_text;
  if (ec || !ReadFile(dir / "args", args_text)) {
    std::cerr << "schemac_case_runner: cannot read " << (dir / "args").string() << "\n";
    return 2;
  }
  std::vector<std::string> args;
  {
    std::istringstream lines(args_text);
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      args.push_back(line);
    }
    while (!args.empty() && args.back().empty()) args.pop_back();  // stray blank lines at the end
  }

  std::string expected_out, expected_err, expected_exit_text;
  ReadFile(dir / "expected.out", expected_out);
  ReadFile(dir / "expected.err", expected_err);
  int expected_exit = 0;
  if (ReadFile(dir / "expected.exit", expected_exit_text)) {
    try {
      expected_exit = std::stoi(Trim(expected_exit_text));
    } catch (const std::exception&) {
      std::cerr << "schemac_case_runner: " << (dir / "expected.exit").string() << " does not hold a number\n";
      return 2;
    }
  }

  std::error_code self_ec;
  std::string self = fs::read_symlink("/proc/self/exe", self_ec).string();
  if (self_ec) self = fs::absolute(argv[0]).string();

  if (chdir(dir.c_str()) != 0) {
    std::cerr << "schemac_case_runner: cannot chdir to " << dir.string() << ": " << std::strerror(errno) << "\n";
    return 2;
  }
  std::ostringstream out, err;
  int exit_code = 0;
  try {
    exit_code = schemac::cli::Run(args, out, err, /*color=*/false);
  } catch (const std::exception& e) {
    std::cout << "FAIL: schemac::cli::Run threw: " << e.what() << "\n";
    exit_code = -1;
  } catch (...) {
    std::cout << "FAIL: schemac::cli::Run threw a non-standard exception\n";
    exit_code = -1;
  }
  const std::string actual_out = out.str();
  const std::string actual_err = err.str();

  const char* update = std::getenv("SCHEMAC_UPDATE_GOLDEN");
  if (update && std::string(update) == "1" && exit_code != -1) {
    WriteOrRemove(dir / "expected.out", actual_out, actual_out.empty());
    WriteOrRemove(dir / "expected.err", actual_err, actual_err.empty());
    WriteOrRemove(dir / "expected.exit", std::to_string(exit_code) + "\n", exit_code == 0);
    std::cout << "updated " << dir.string() << "\n";
    return 0;
  }

  bool ok = true;
  if (actual_out != expected_out) {
    ok = false;
    std::cout << "stdout differs:\n";
    PrintDiff("stdout", expected_out, actual_out);
  }
  if (actual_err != expected_err) {
    ok = false;
    std::cout << "stderr differs:\n";
    PrintDiff("stderr", expected_err, actual_err);
  }
  if (exit_code != expected_exit) {
    ok = false;
    std::cout << "exit code: expected " << expected_exit << ", got " << exit_code << "\n";
  }
  if (ok) return 0;

  std::string cli_line;
  for (const std::string& a : args) cli_line += " " + ShellQuote(a);
  std::cout << "\nreproduce: cd " << ShellQuote(dir.string()) << " &&";
#ifdef SCHEMAC_BINARY
  std::cout << " " << ShellQuote(SCHEMAC_BINARY);
#else
  std::cout << " schemac";
#endif
  std::cout << cli_line << "\n";
  std::cout << "accept:    SCHEMAC_UPDATE_GOLDEN=1 " << ShellQuote(self) << " "
            << ShellQuote(dir.string()) << "\n";
  return 1;
}
