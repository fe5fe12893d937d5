// Grants and `comment on`.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "compiler/printer/internal.h"

namespace schemac::printer::internal {
namespace {

const std::vector<std::string> kTablePrivileges = {"SELECT", "INSERT", "UPDATE", "DELETE",
                                                   "TRUNCATE", "REFERENCES", "TRIGGER"};
const std::vector<std::string> kSequencePrivileges = {"USAGE", "SELECT", "UPDATE"};
const std::vector<std::string> kSchemaPrivileges = {"USAGE", "CREATE"};
const std::vector<std::string> kFunctionPrivileges = {"EXECUTE"};
const std::vector<std::string> kTypePrivileges = {"USAGE"};

struct Target {
  std::string text;  // `sales.orders`, `sequence s`, `function f(integer)`
  const std::vector<std::string>* privileges = &kTablePrivileges;
};

Target TargetOf(const Context& ctx, const model::Grant& g) {
  using model::ObjectKind;
  switch (g.object_kind) {
    case ObjectKind::Schema: return {"schema " + Ident(g.object.name), &kSchemaPrivileges};
    case ObjectKind::Function:
    case ObjectKind::Procedure: {
      const char* kind = g.object_kind == ObjectKind::Function ? "function " : "procedure ";
      if (const model::Function* f = ctx.FindFunction(g.object.schema, g.object.name)) {
        return {kind + FunctionRef(ctx, *f), &kFunctionPrivileges};
      }
      return {kind + Ident(g.object.schema) + "." + g.object.name, &kFunctionPrivileges};
    }
    case ObjectKind::Enum:
    case ObjectKind::CompositeType: return {"type " + TypeQualified(g.object), &kTypePrivileges};
    case ObjectKind::Domain: return {"domain " + TypeQualified(g.object), &kTypePrivileges};
    default: break;
  }
  if (ctx.FindTable(g.object) != nullptr || ctx.FindView(g.object) != nullptr) {
    return {Qualified(g.object), &kTablePrivileges};
  }
  // A sequence of its own, or the sequence of an identity or serial column.
  return {"sequence " + Qualified(g.object), &kSequencePrivileges};
}

size_t Rank(const std::vector<std::string>& order, const std::string& privilege) {
  return static_cast<size_t>(std::find(order.begin(), order.end(), privilege) - order.begin());
}

}  // namespace

std::string GrantLines(Context& ctx, const std::vector<model::Grant>& grants) {
  if (grants.empty()) return "";
  const Target target = TargetOf(ctx, grants.front());
  const std::vector<std::string>& order = *target.privileges;
  // Per grantee and grant option: privileges on the object, and columns per column privilege.
  struct Privileges {
    std::set<std::string> whole;
    std::map<std::string, std::vector<std::string>> columns;
  };
  std::map<std::pair<std::string, bool>, Privileges> by_grantee;
  for (const model::Grant& g : grants) {
    Privileges& p = by_grantee[{g.grantee, g.with_grant_option}];
    if (g.column) {
      p.columns[g.privilege].push_back(*g.column);
    } else {
      p.whole.insert(g.privilege);
    }
  }
  // Privilege text -> grantees, per grant option.
  std::map<std::pair<bool, std::string>, std::vector<std::string>> lines;
  for (auto& [key, p] : by_grantee) {
    std::vector<std::string> privileges(p.whole.begin(), p.whole.end());
    std::sort(privileges.begin(), privileges.end(), [&](const std::string& a, const std::string& b) {
      return std::make_pair(Rank(order, a), a) < std::make_pair(Rank(order, b), b);
    });
    std::string text;
    // `all` only where it says more than the one privilege the object kind has.
    const bool all = p.columns.empty() && order.size() > 1 && privileges.size() == order.size() &&
                     std::all_of(order.begin(), order.end(), [&](const std::string& x) { return p.whole.contains(x); });
    if (all) {
      text = "all";
    } else {
      std::vector<std::string> column_privileges;
      for (const auto& [privilege, columns] : p.columns) column_privileges.push_back(privilege);
      std::sort(column_privileges.begin(), column_privileges.end(), [&](const std::string& a, const std::string& b) {
        return std::make_pair(Rank(kTablePrivileges, a), a) < std::make_pair(Rank(kTablePrivileges, b), b);
      });
      for (const std::string& privilege : privileges) text += (text.empty() ? "" : ", ") + Lower(privilege);
      for (const std::string& privilege : column_privileges) {
        std::vector<std::string> columns = p.columns[privilege];
        std::sort(columns.begin(), columns.end());
        text += (text.empty() ? "" : ", ") + Lower(privilege) + " (" + IdentList(columns) + ")";
      }
    }
    const std::string grantee = key.first == "public" ? "public" : Ident(key.first);
    lines[{key.second, text}].push_back(grantee);
  }
  std::string out;
  for (const auto& [key, grantees] : lines) {
    out += "grant " + key.second + " on " + target.text + " to " + fmt::format("{}", fmt::join(grantees, ", "));
    if (key.first) out += " with grant option";
    out += "\n";
  }
  return out;
}

std::string CommentOn(const std::string& target, const std::optional<std::string>& comment) {
  if (!comment) return "";
  return "comment on " + target + " is " + Literal(*comment) + "\n";
}

std::string FunctionRef(const Context& ctx, const model::Function& function) {
  std::string out = Qualified(function.name);
  if (!ctx.Overloaded(function)) return out;
  std::vector<std::string> types;
  for (const model::FunctionArg& a : function.args) {
    if (a.mode != model::ArgMode::Out) types.push_back(Type(a.type));
  }
  return out + "(" + fmt::format("{}", fmt::join(types, ", ")) + ")";
}

}  // namespace schemac::printer::internal
