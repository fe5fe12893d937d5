#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
  const bool color = isatty(STDERR_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
  schemac::cli::KeepResultsUntilExit(true);
  return schemac::cli::Run(args, std::cout, std::cerr, color);
}
