//===- Parser.cpp - .nn recursive-descent parser --------------------------===//
//
// One parse function per grammar rule, the rule in its comment. On a syntax
// error the parser reports it, skips to the end of the statement (or to the
// next declaration) and goes on, so one run reports several errors.
//
//===----------------------------------------------------------------------===//

#include "nn/Frontend/Parser.h"
#include "nn/Frontend/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"

using namespace nn;
using llvm::SMLoc;

namespace {

/// Deeper nesting than this is rejected instead of exhausting the stack.
constexpr unsigned kMaxNesting = 200;

class Parser {
public:
  Parser(std::vector<Token> tokens, DiagEngine &diags)
      : tokens(std::move(tokens)), diags(diags) {}

  void parseProgram(FileAST &file);

private:
  const Token &tok() const { return tokens[pos]; }
  const Token &peek(unsigned n = 1) const {
    return tokens[std::min(pos + n, unsigned(tokens.size() - 1))];
  }
  bool is(TokenKind k) const { return tok().is(k); }
  Token consume() {
    Token t = tok();
    if (!t.is(TokenKind::eof))
      ++pos;
    return t;
  }
  bool consumeIf(TokenKind k) {
    if (!is(k))
      return false;
    consume();
    return true;
  }
  void skipNewlines() {
    while (is(TokenKind::newline))
      consume();
  }

  /// Reports "expected X, found Y" at the current token.
  bool errorExpected(const llvm::Twine &what) {
    if (is(TokenKind::error)) // the lexer has said what is wrong
      return false;
    diags.error(tok().getLoc(),
                "expected " + what + ", found " + describeFound());
    return false;
  }
  std::string describeFound() const {
    if (is(TokenKind::identifier) || is(TokenKind::integer) ||
        is(TokenKind::floatlit))
      return describeTokenKind(tok().kind) + " '" + tok().spelling.str() + "'";
    return describeTokenKind(tok().kind);
  }
  bool expect(TokenKind k, const llvm::Twine &context = "") {
    if (consumeIf(k))
      return true;
    if (context.isTriviallyEmpty())
      return errorExpected(describeTokenKind(k));
    return errorExpected(describeTokenKind(k) + " " + context);
  }
  bool parseIdentifier(std::string &name, SMLoc &loc, const llvm::Twine &what) {
    if (!is(TokenKind::identifier))
      return errorExpected(what);
    loc = tok().getLoc();
    name = consume().spelling.str();
    return true;
  }

  void skipStatement();
  void skipDeclaration();

  bool parseImport(FileAST &file);
  std::unique_ptr<FuncDecl> parseFuncDecl();
  bool parseArgDecl(ArgDecl &arg);
  bool parseType(TypeNode &type);
  bool parseDim(DimNode &dim);
  bool parseBlock(std::vector<StmtPtr> &body, SMLoc &endLoc);
  StmtPtr parseStmt();
  StmtPtr parseParamStmt();
  StmtPtr parseForStmt();
  StmtPtr parseReturnStmt();
  StmtPtr parseAssignStmt();
  std::unique_ptr<TrainDecl> parseTrainDecl();
  ExprPtr parseExpr();
  ExprPtr parseAddExpr();
  ExprPtr parseMulExpr();
  ExprPtr parseMatmulExpr();
  ExprPtr parseUnaryExpr();
  ExprPtr parsePrimary();
  ExprPtr parseNumber();
  ExprPtr parseCallOrName();
  ExprPtr parseList();
  bool parseArg(Arg &arg);

  std::vector<Token> tokens;
  unsigned pos = 0;
  DiagEngine &diags;
  unsigned depth = 0;
};

/// Counts nesting for the recursive rules; reports once when too deep.
struct DepthGuard {
  DepthGuard(unsigned &depth) : depth(depth) { ++depth; }
  ~DepthGuard() { --depth; }
  unsigned &depth;
};

} // namespace

/// Skips to the end of the current line (or to a brace, left in place).
void Parser::skipStatement() {
  while (!is(TokenKind::eof) && !is(TokenKind::newline) &&
         !is(TokenKind::r_brace) && !is(TokenKind::l_brace))
    consume();
  if (is(TokenKind::l_brace)) { // skip a whole block, e.g. a broken `for`
    unsigned braces = 0;
    do {
      if (is(TokenKind::l_brace))
        ++braces;
      else if (is(TokenKind::r_brace))
        --braces;
      consume();
    } while (braces && !is(TokenKind::eof));
  }
}

/// Skips to the next token that can start a declaration at the top level.
void Parser::skipDeclaration() {
  unsigned braces = 0;
  while (!is(TokenKind::eof)) {
    if (braces == 0 && (is(TokenKind::kw_model) || is(TokenKind::kw_layer) ||
                        is(TokenKind::kw_train) || is(TokenKind::kw_import)))
      return;
    if (is(TokenKind::l_brace))
      ++braces;
    else if (is(TokenKind::r_brace) && braces && --braces == 0) {
      consume();
      return;
    }
    consume();
  }
}

/// program ::= (decl | NEWLINE)* EOF
/// decl    ::= import | funcDecl | train
void Parser::parseProgram(FileAST &file) {
  while (!diags.shouldStop()) {
    skipNewlines();
    if (is(TokenKind::eof))
      return;
    bool ok = true;
    if (is(TokenKind::kw_import)) {
      ok = parseImport(file);
    } else if (is(TokenKind::kw_model) || is(TokenKind::kw_layer)) {
      auto func = parseFuncDecl();
      ok = func != nullptr;
      if (func)
        file.funcs.push_back(std::move(func));
    } else if (is(TokenKind::kw_train)) {
      auto train = parseTrainDecl();
      ok = train != nullptr;
      if (train)
        file.trains.push_back(std::move(train));
    } else {
      ok = errorExpected("'model', 'layer', 'train' or 'import'");
      consume(); // make progress
    }
    if (ok && !is(TokenKind::eof) && !is(TokenKind::newline))
      ok = errorExpected("end of line after declaration");
    if (!ok)
      skipDeclaration();
  }
}

/// import ::= 'import' STRING
bool Parser::parseImport(FileAST &file) {
  consume();
  if (!is(TokenKind::string))
    return errorExpected("a file name string after 'import'");
  ImportDecl decl;
  decl.loc = tok().getLoc();
  decl.path = unescapeString(consume().spelling);
  file.imports.push_back(std::move(decl));
  return true;
}

/// funcDecl ::= ('model' | 'layer') IDENT '(' (argDecl (',' argDecl)*)? ')'
///              ('->' type)? block
std::unique_ptr<FuncDecl> Parser::parseFuncDecl() {
  auto func = std::make_unique<FuncDecl>();
  func->isModel = consume().is(TokenKind::kw_model);
  const char *what = func->isModel ? "a model name" : "a layer name";
  if (!parseIdentifier(func->name, func->loc, what) ||
      !expect(TokenKind::l_paren, "after the name"))
    return nullptr;
  if (!is(TokenKind::r_paren)) {
    do {
      if (is(TokenKind::r_paren)) // trailing comma
        break;
      ArgDecl arg;
      if (!parseArgDecl(arg))
        return nullptr;
      func->args.push_back(std::move(arg));
    } while (consumeIf(TokenKind::comma));
  }
  if (!expect(TokenKind::r_paren, "to end the argument list"))
    return nullptr;
  if (consumeIf(TokenKind::arrow)) {
    func->hasResultType = true;
    if (!parseType(func->resultType))
      return nullptr;
  }
  if (!parseBlock(func->body, func->endLoc))
    return nullptr;
  return func;
}

/// argDecl ::= IDENT ':' type ('=' expr)?
bool Parser::parseArgDecl(ArgDecl &arg) {
  if (!parseIdentifier(arg.name, arg.loc, "an argument name") ||
      !expect(TokenKind::colon, "after the argument name") ||
      !parseType(arg.type))
    return false;
  if (consumeIf(TokenKind::equal)) {
    arg.defaultValue = parseExpr();
    if (!arg.defaultValue)
      return false;
  }
  return true;
}

/// type ::= IDENT ('[' (dim (',' dim)*)? ']')?
bool Parser::parseType(TypeNode &type) {
  if (!parseIdentifier(type.name, type.loc, "a type"))
    return false;
  if (!consumeIf(TokenKind::l_square))
    return true;
  type.isTensor = true;
  if (consumeIf(TokenKind::r_square))
    return true;
  do {
    DimNode dim;
    if (!parseDim(dim))
      return false;
    type.dims.push_back(std::move(dim));
  } while (consumeIf(TokenKind::comma));
  return expect(TokenKind::r_square, "to end the shape");
}

/// dim ::= INTEGER | IDENT
bool Parser::parseDim(DimNode &dim) {
  dim.loc = tok().getLoc();
  if (is(TokenKind::identifier)) {
    dim.isVar = true;
    dim.name = consume().spelling.str();
    return true;
  }
  if (!is(TokenKind::integer))
    return errorExpected("a dimension (an integer or a name)");
  if (tok().spelling.getAsInteger(10, dim.value) || dim.value > (1 << 30)) {
    diags.error(dim.loc, "dimension " + tok().spelling + " is too large");
    return false;
  }
  consume();
  return true;
}

/// block ::= '{' (stmt? NEWLINE)* '}'
bool Parser::parseBlock(std::vector<StmtPtr> &body, SMLoc &endLoc) {
  DepthGuard guard(depth);
  if (depth > kMaxNesting) {
    diags.error(tok().getLoc(), "blocks nested too deeply");
    return false;
  }
  if (!expect(TokenKind::l_brace, "to begin a body"))
    return false;
  while (!diags.shouldStop()) {
    skipNewlines();
    if (is(TokenKind::r_brace)) {
      endLoc = consume().getLoc();
      return true;
    }
    if (is(TokenKind::eof) || is(TokenKind::kw_model) ||
        is(TokenKind::kw_layer) || is(TokenKind::kw_train) ||
        is(TokenKind::kw_import))
      return expect(TokenKind::r_brace, "to end the body");
    StmtPtr stmt = parseStmt();
    if (stmt && !is(TokenKind::newline) && !is(TokenKind::r_brace)) {
      errorExpected("end of line after statement");
      stmt = nullptr;
    }
    if (!stmt) {
      skipStatement();
      continue;
    }
    body.push_back(std::move(stmt));
  }
  return false;
}

/// stmt ::= paramStmt | forStmt | returnStmt | assignStmt
StmtPtr Parser::parseStmt() {
  switch (tok().kind) {
  case TokenKind::kw_param:
    return parseParamStmt();
  case TokenKind::kw_for:
    return parseForStmt();
  case TokenKind::kw_return:
    return parseReturnStmt();
  case TokenKind::identifier:
    if (peek().is(TokenKind::equal))
      return parseAssignStmt();
    diags.error(tok().getLoc(),
                "expected a statement: `name = expr`, `param`, `for` or "
                "`return`; an expression alone does nothing");
    return nullptr;
  default:
    errorExpected("a statement");
    return nullptr;
  }
}

/// paramStmt ::= 'param' IDENT ':' type '=' expr
StmtPtr Parser::parseParamStmt() {
  auto stmt = std::make_unique<Stmt>(StmtKind::Param, consume().getLoc());
  if (!parseIdentifier(stmt->name, stmt->nameLoc, "a parameter name") ||
      !expect(TokenKind::colon, "after the parameter name") ||
      !parseType(stmt->type))
    return nullptr;
  if (!is(TokenKind::equal)) {
    diags.error(tok().getLoc(),
                "expected '=' and an initializer after the parameter type");
    return nullptr;
  }
  consume();
  stmt->value = parseExpr();
  return stmt->value ? std::move(stmt) : nullptr;
}

/// forStmt ::= 'for' IDENT 'in' expr '..' expr block
StmtPtr Parser::parseForStmt() {
  auto stmt = std::make_unique<Stmt>(StmtKind::For, consume().getLoc());
  if (!parseIdentifier(stmt->name, stmt->nameLoc, "a loop variable") ||
      !expect(TokenKind::kw_in, "after the loop variable"))
    return nullptr;
  stmt->value = parseExpr();
  if (!stmt->value || !expect(TokenKind::dotdot, "in the loop range"))
    return nullptr;
  stmt->upper = parseExpr();
  if (!stmt->upper || !parseBlock(stmt->body, stmt->endLoc))
    return nullptr;
  return stmt;
}

/// returnStmt ::= 'return' expr
StmtPtr Parser::parseReturnStmt() {
  auto stmt = std::make_unique<Stmt>(StmtKind::Return, consume().getLoc());
  stmt->value = parseExpr();
  return stmt->value ? std::move(stmt) : nullptr;
}

/// assignStmt ::= IDENT '=' expr
StmtPtr Parser::parseAssignStmt() {
  auto stmt = std::make_unique<Stmt>(StmtKind::Assign, tok().getLoc());
  stmt->nameLoc = tok().getLoc();
  stmt->name = consume().spelling.str();
  consume(); // '='
  stmt->value = parseExpr();
  return stmt->value ? std::move(stmt) : nullptr;
}

/// train ::= 'train' IDENT '{' (IDENT '=' expr)? (NEWLINE (IDENT '=' expr)?)*
/// '}'
std::unique_ptr<TrainDecl> Parser::parseTrainDecl() {
  consume();
  auto train = std::make_unique<TrainDecl>();
  if (!parseIdentifier(train->model, train->loc,
                       "the name of the model to train") ||
      !expect(TokenKind::l_brace, "to begin the train block"))
    return nullptr;
  while (!diags.shouldStop()) {
    skipNewlines();
    if (consumeIf(TokenKind::r_brace))
      return train;
    if (is(TokenKind::eof))
      return expect(TokenKind::r_brace, "to end the train block"), nullptr;
    TrainEntry entry;
    bool ok = parseIdentifier(entry.key, entry.loc, "a train setting name") &&
              expect(TokenKind::equal, "after the setting name");
    if (ok) {
      entry.value = parseExpr();
      ok = entry.value != nullptr;
    }
    if (ok && !is(TokenKind::newline) && !is(TokenKind::r_brace))
      ok = errorExpected("end of line after the setting");
    if (!ok) {
      skipStatement();
      continue;
    }
    train->entries.push_back(std::move(entry));
  }
  return nullptr;
}

/// expr ::= addExpr
ExprPtr Parser::parseExpr() {
  DepthGuard guard(depth);
  if (depth > kMaxNesting) {
    diags.error(tok().getLoc(), "expression nested too deeply");
    return nullptr;
  }
  return parseAddExpr();
}

static ExprPtr makeBinary(char op, SMLoc loc, ExprPtr lhs, ExprPtr rhs) {
  auto e = std::make_unique<Expr>(ExprKind::Binary, loc);
  e->op = op;
  e->lhs = std::move(lhs);
  e->rhs = std::move(rhs);
  return e;
}

/// addExpr ::= mulExpr (('+' | '-') mulExpr)*
ExprPtr Parser::parseAddExpr() {
  ExprPtr lhs = parseMulExpr();
  while (lhs && (is(TokenKind::plus) || is(TokenKind::minus))) {
    Token op = consume();
    ExprPtr rhs = parseMulExpr();
    if (!rhs)
      return nullptr;
    lhs =
        makeBinary(op.spelling[0], op.getLoc(), std::move(lhs), std::move(rhs));
  }
  return lhs;
}

/// mulExpr ::= matmulExpr (('*' | '/') matmulExpr)*
ExprPtr Parser::parseMulExpr() {
  ExprPtr lhs = parseMatmulExpr();
  while (lhs && (is(TokenKind::star) || is(TokenKind::slash))) {
    Token op = consume();
    ExprPtr rhs = parseMatmulExpr();
    if (!rhs)
      return nullptr;
    lhs =
        makeBinary(op.spelling[0], op.getLoc(), std::move(lhs), std::move(rhs));
  }
  return lhs;
}

/// matmulExpr ::= unaryExpr ('@' unaryExpr)*
ExprPtr Parser::parseMatmulExpr() {
  ExprPtr lhs = parseUnaryExpr();
  while (lhs && is(TokenKind::at)) {
    Token op = consume();
    ExprPtr rhs = parseUnaryExpr();
    if (!rhs)
      return nullptr;
    lhs = makeBinary('@', op.getLoc(), std::move(lhs), std::move(rhs));
  }
  return lhs;
}

/// unaryExpr ::= '-' unaryExpr | primary
ExprPtr Parser::parseUnaryExpr() {
  if (!is(TokenKind::minus))
    return parsePrimary();
  SMLoc loc = consume().getLoc();
  DepthGuard guard(depth);
  if (depth > kMaxNesting) {
    diags.error(loc, "expression nested too deeply");
    return nullptr;
  }
  ExprPtr operand = parseUnaryExpr();
  if (!operand)
    return nullptr;
  auto e = std::make_unique<Expr>(ExprKind::Neg, loc);
  e->lhs = std::move(operand);
  return e;
}

/// primary ::= INTEGER | FLOAT | STRING | 'true' | 'false' | callOrName
///           | '(' expr ')' | list
ExprPtr Parser::parsePrimary() {
  SMLoc loc = tok().getLoc();
  switch (tok().kind) {
  case TokenKind::integer:
  case TokenKind::floatlit:
    return parseNumber();
  case TokenKind::string: {
    auto e = std::make_unique<Expr>(ExprKind::String, loc);
    e->text = unescapeString(consume().spelling);
    return e;
  }
  case TokenKind::kw_true:
  case TokenKind::kw_false: {
    auto e = std::make_unique<Expr>(ExprKind::Bool, loc);
    e->boolValue = consume().is(TokenKind::kw_true);
    return e;
  }
  case TokenKind::identifier:
    return parseCallOrName();
  case TokenKind::l_square:
    return parseList();
  case TokenKind::l_paren: {
    consume();
    ExprPtr inner = parseExpr();
    if (!inner || !expect(TokenKind::r_paren, "to close '('"))
      return nullptr;
    return inner;
  }
  default:
    errorExpected("an expression");
    return nullptr;
  }
}

/// number ::= INTEGER | FLOAT
ExprPtr Parser::parseNumber() {
  Token t = consume();
  if (t.is(TokenKind::integer)) {
    auto e = std::make_unique<Expr>(ExprKind::Int, t.getLoc());
    if (t.spelling.getAsInteger(10, e->intValue)) {
      diags.error(t.getLoc(), "integer " + t.spelling + " is too large");
      return nullptr;
    }
    return e;
  }
  auto e = std::make_unique<Expr>(ExprKind::Float, t.getLoc());
  if (!llvm::to_float(t.spelling, e->floatValue)) {
    diags.error(t.getLoc(), "invalid number '" + t.spelling + "'");
    return nullptr;
  }
  return e;
}

/// callOrName ::= IDENT ('(' (arg (',' arg)* ','?)? ')')?
ExprPtr Parser::parseCallOrName() {
  Token name = consume();
  if (!is(TokenKind::l_paren)) {
    auto e = std::make_unique<Expr>(ExprKind::Name, name.getLoc());
    e->text = name.spelling.str();
    return e;
  }
  consume();
  auto e = std::make_unique<Expr>(ExprKind::Call, name.getLoc());
  e->text = name.spelling.str();
  while (!is(TokenKind::r_paren)) {
    Arg arg;
    if (!parseArg(arg))
      return nullptr;
    e->args.push_back(std::move(arg));
    if (!consumeIf(TokenKind::comma))
      break;
  }
  if (!expect(TokenKind::r_paren,
              "to end the arguments of '" + name.spelling + "'"))
    return nullptr;
  return e;
}

/// arg ::= (IDENT '=')? expr
bool Parser::parseArg(Arg &arg) {
  if (is(TokenKind::identifier) && peek().is(TokenKind::equal)) {
    arg.nameLoc = tok().getLoc();
    arg.name = consume().spelling.str();
    consume();
  }
  arg.value = parseExpr();
  return arg.value != nullptr;
}

/// list ::= '[' (expr (',' expr)* ','?)? ']'
ExprPtr Parser::parseList() {
  auto e = std::make_unique<Expr>(ExprKind::List, consume().getLoc());
  while (!is(TokenKind::r_square)) {
    Arg elem;
    elem.value = parseExpr();
    if (!elem.value)
      return nullptr;
    e->args.push_back(std::move(elem));
    if (!consumeIf(TokenKind::comma))
      break;
  }
  if (!expect(TokenKind::r_square, "to end the list"))
    return nullptr;
  return e;
}

bool nn::parseFile(llvm::StringRef buffer, DiagEngine &diags, FileAST &file) {
  unsigned errorsBefore = diags.getNumErrors();
  Lexer lexer(buffer, diags);
  Parser parser(lexer.lexAll(), diags);
  parser.parseProgram(file);
  return diags.getNumErrors() == errorsBefore && !diags.shouldStop();
}
