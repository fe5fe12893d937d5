// Functions, procedures and triggers.
#include "compiler/sqlgen/render.h"

#include <fmt/format.h>

namespace schemac::sqlgen {

using model::QuoteIdent;
using model::QuoteQualified;

namespace {

const char* ModePrefix(model::ArgMode mode) {
  switch (mode) {
    case model::ArgMode::In: return "";
    case model::ArgMode::Out: return "OUT ";
    case model::ArgMode::InOut: return "INOUT ";
    case model::ArgMode::Variadic: return "VARIADIC ";
  }
  return "";
}

// One argument. RETURNS TABLE columns are written without a mode (they are OUT by definition).
std::string ArgSql(const model::FunctionArg& arg, bool with_mode) {
  std::string out = with_mode ? ModePrefix(arg.mode) : "";
  if (!arg.name.empty()) out += QuoteIdent(arg.name) + " ";
  out += arg.type.ToSql();
  // An argument default is an a_expr, so it needs no parentheses.
  if (arg.default_expr) out += " DEFAULT " + ExprSql(arg.default_expr->text);
  return out;
}

std::string ArgList(const std::vector<model::FunctionArg>& args, bool with_modes) {
  std::vector<std::string> parts;
  for (const model::FunctionArg& arg : args) parts.push_back(ArgSql(arg, with_modes));
  return fmt::format("{}", fmt::join(parts, ", "));
}

// A SQL-standard body (`RETURN expr` or `BEGIN ATOMIC ... END`, LANGUAGE sql only) is parsed by
// the server at creation time and must not be quoted.
bool IsSqlStandardBody(const model::Function& function) {
  if (function.language != "sql") return false;
  std::string text = Upper(ExprSql(function.body.text));
  std::string words;
  for (char c : text) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space && (words.empty() || words.back() == ' ')) continue;
    words += space ? ' ' : c;
    if (words.size() >= 12) break;
  }
  return words.starts_with("RETURN ") || words.starts_with("BEGIN ATOMIC");
}

// The attributes after LANGUAGE that differ from CREATE FUNCTION's defaults (VOLATILE, CALLED ON
// NULL INPUT, SECURITY INVOKER, PARALLEL UNSAFE, NOT LEAKPROOF, COST 1 for C/internal functions and
// 100 for the rest, ROWS 1000 for set-returning functions).
std::vector<std::string> Attributes(const model::Function& function) {
  std::vector<std::string> attributes;
  // Procedures accept only SECURITY and SET.
  if (!function.is_procedure) {
    if (!function.volatility.empty() && function.volatility != "volatile") {
      attributes.push_back(Upper(function.volatility));
    }
    if (function.strict) attributes.push_back("STRICT");
  }
  if (function.security_definer) attributes.push_back("SECURITY DEFINER");
  if (function.is_procedure) return attributes;
  if (!function.parallel.empty() && function.parallel != "unsafe") {
    attributes.push_back("PARALLEL " + Upper(function.parallel));
  }
  if (function.leakproof) attributes.push_back("LEAKPROOF");
  bool compiled = function.language == "c" || function.language == "internal";
  if (function.cost && *function.cost != (compiled ? "1" : "100")) {
    attributes.push_back("COST " + *function.cost);
  }
  bool returns_set = function.returns_setof || !function.returns_table.empty();
  if (function.rows && returns_set && *function.rows != "1000") {
    attributes.push_back("ROWS " + *function.rows);
  }
  return attributes;
}

std::string TimingSql(model::TriggerTiming timing) { return Upper(model::TriggerTimingName(timing)); }

}  // namespace

std::string CreateFunction(const model::Function& function) {
  std::string out = fmt::format("CREATE {} {}({})", function.is_procedure ? "PROCEDURE" : "FUNCTION",
                                QuoteQualified(function.name), ArgList(function.args, /*with_modes=*/true));
  if (!function.is_procedure) {
    if (!function.returns_table.empty()) {
      out += " RETURNS TABLE (" + ArgList(function.returns_table, /*with_modes=*/false) + ")";
    } else if (function.returns) {
      out += fmt::format(" RETURNS {}{}", function.returns_setof ? "SETOF " : "",
                         function.returns->ToSql());
    }
    // Neither: the result type comes from the OUT arguments.
  }
  out += "\n  LANGUAGE " + QuoteIdent(function.language);
  for (const std::string& attribute : Attributes(function)) out += " " + attribute;
  for (const auto& [name, value] : function.set_options) {
    out += fmt::format("\n  SET {} = {}", name, value);
  }
  if (IsSqlStandardBody(function)) {
    out += "\n  " + ExprSql(function.body.text);
  } else {
    out += "\n  AS " + DollarQuote(function.body.text);
  }
  return out + ";";
}

std::string CreateTrigger(const model::Trigger& trigger) {
  std::vector<std::string> events;
  for (const std::string& event : trigger.events) {
    std::string sql = Upper(event);
    if (event == "update" && !trigger.update_columns.empty()) {
      sql += " OF " + IdentList(trigger.update_columns);
    }
    events.push_back(sql);
  }
  std::string out = fmt::format("CREATE {}TRIGGER {} {} {} ON {}",
                                trigger.constraint_trigger ? "CONSTRAINT " : "",
                                QuoteIdent(trigger.name), TimingSql(trigger.timing),
                                fmt::join(events, " OR "), QuoteQualified(trigger.table));
  // Grammar order: constraint triggers take their deferral right after the table; transition
  // tables (REFERENCING) exist only for ordinary AFTER triggers.
  if (trigger.constraint_trigger) out += DeferralSql(trigger.deferral);
  if (trigger.referencing_old || trigger.referencing_new) {
    out += " REFERENCING";
    if (trigger.referencing_old) out += " OLD TABLE AS " + QuoteIdent(*trigger.referencing_old);
    if (trigger.referencing_new) out += " NEW TABLE AS " + QuoteIdent(*trigger.referencing_new);
  }
  out += trigger.for_each_row ? " FOR EACH ROW" : " FOR EACH STATEMENT";
  if (trigger.when) out += " WHEN (" + ExprSql(trigger.when->text) + ")";
  out += fmt::format(" EXECUTE FUNCTION {}({});", QuoteQualified(trigger.function),
                     fmt::join(trigger.args, ", "));
  return out;
}

}  // namespace schemac::sqlgen
