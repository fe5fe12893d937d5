// schemac_bench_plan_gen: writes the deterministic workload of the `schemac plan` benchmark
// (bench/README.md, "no-change plan").
//
//   schemac_bench_plan_gen --tables N OUT
//
// Writes to the file OUT a valid schema of N tables, each with the shape the issue fixes:
// 10 columns, a primary key, a unique constraint, a check, two indexes (one on columns, one on an
// expression) and a foreign key (to one of the previous 100 tables; table 0 refers to itself).
// One enum is declared at the top. The same arguments always produce the same bytes.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

int Usage() {
  std::fputs("usage: schemac_bench_plan_gen --tables N OUT\n", stderr);
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  long tables = -1;
  const char* out_path = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--tables") == 0 && i + 1 < argc) {
      tables = std::strtol(argv[++i], nullptr, 10);
    } else if (argv[i][0] != '-' && out_path == nullptr) {
      out_path = argv[i];
    } else {
      return Usage();
    }
  }
  if (tables <= 0 || out_path == nullptr) return Usage();

  std::string text = "enum item_state { draft, active, archived }\n";
  for (long i = 0; i < tables; ++i) {
    const std::string name = fmt::format("item_{:05}", i);
    const long parent = i == 0 ? 0 : i - 1 - (i * 7919) % std::min<long>(i, 100);
    text += fmt::format(
        "\ntable {0} {{\n"
        "  id          bigint generated always as identity primary key\n"
        "  code        text not null unique\n"
        "  amount      numeric(12,2) not null default 0 check (amount >= 0)\n"
        "  state       item_state not null default 'draft'\n"
        "  created_at  timestamptz not null default now()\n"
        "  updated_at  timestamptz\n"
        "  parent_id   bigint references item_{1:05} (id) on delete cascade\n"
        "  attributes  jsonb not null default '{{}}'\n"
        "  labels      text[]\n"
        "  note        varchar(200)\n"
        "\n"
        "  index {0}_parent (parent_id, created_at)\n"
        "  index {0}_code_lower (lower(code)) where state <> 'archived'\n"
        "}}\n",
        name, parent);
  }
  std::ofstream out(out_path, std::ios::binary);
  out << text;
  if (!out) {
    std::fprintf(stderr, "schemac_bench_plan_gen: cannot write %s\n", out_path);
    return 1;
  }
  std::printf("%ld tables, %zu bytes -> %s\n", tables, text.size(), out_path);
  return 0;
}
