/// The syntax tree. Nodes are classes so the resolver can annotate them
/// (variable slots) and the interpreter can dispatch on them directly:
/// `evaluate`/`execute` forward to the interpreter's `visit` methods
/// (Interpreter+Expressions.swift, Interpreter+Statements.swift).

public class Expr {
    public let location: SourceLocation
    /// Height of this subtree, bounded by the parser so evaluation never
    /// overflows the stack.
    let height: Int
    init(_ location: SourceLocation, height: Int = 1) { self.location = location; self.height = height }
    func evaluate(_ i: Interpreter) throws -> Value { fatalError("abstract") }
}

final class ConstantExpr: Expr {
    let value: Value
    init(_ value: Value, _ location: SourceLocation) { self.value = value; super.init(location) }
    override func evaluate(_ i: Interpreter) throws -> Value { value }
}

/// Where a name lives, filled in by the resolver.
enum Slot: Equatable {
    case unresolved
    case global(Int)
    case local(Int)
    /// A local that an inner function captures: the frame holds it in a box
    /// that the inner function shares.
    case boxed(Int)
    /// A variable of an enclosing function: the box at this index of the
    /// running closure's captures.
    case captured(Int)
}

/// Where a closure takes each captured box from when it is created, in
/// terms of the frame it is created in.
enum CaptureSource {
    case boxedLocal(Int)
    case captured(Int)
}

final class NameExpr: Expr {
    let name: String
    var slot: Slot = .unresolved
    init(_ name: String, _ location: SourceLocation) { self.name = name; super.init(location) }
    override func evaluate(_ i: Interpreter) throws -> Value { try i.visit(self) }
}

final class ListExpr: Expr {
    let items: [Expr]
    init(_ items: [Expr], _ location: SourceLocation) {
        self.items = items
        super.init(location, height: (items.map(\.height).max() ?? 0) + 1)
    }
    override func evaluate(_ i: Interpreter) throws -> Value { try i.visit(self) }
}

final class RecordExpr: Expr {
    let keys: [String]
    let values: [Expr]
    init(_ keys: [String], _ values: [Expr], _ location: SourceLocation) {
        self.keys = keys; self.values = values
        super.init(location, height: (values.map(\.height).max() ?? 0) + 1)
    }
    override func evaluate(_ i: Interpreter) throws -> Value { try i.visit(self) }
}

public enum UnaryOperator: String, Sendable { case negate = "-", not = "not" }

public enum BinaryOperator: String, Sendable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "**", matmul = "@"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case `in` = "in"

    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .in: return true
        default: return false
        }
    }
}

final class UnaryExpr: Expr {
    let op: UnaryOperator
    let operand: Expr
    init(_ op: UnaryOperator, _ operand: Expr, _ location: SourceLocation) {
        self.op = op; self.operand = operand
        super.init(location, height: operand.height + 1)
    }
    override func evaluate(_ i: Interpreter) throws -> Value { try i.visit(self) }
}

final class BinaryExpr: Expr {
    let op: BinaryOperator
    let lhs: Expr, rhs: Expr
    init(_ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, _ location: SourceLocation) {
        self.op = op; self.lhs = lhs; self.rhs = rhs
        super.init(location, height: max(lhs.height, rhs.height) + 1)
    }
    override func evaluate(_ i: Interpreter) throws -> Value { try i.visit(self) }
}

/// `and` / `or`, which evaluate their right side only when needed.
final class LogicalExpr: Expr {
    let isAnd: Bool
    let lhs: Expr, rhs: Expr
    init(isAnd: Bool, _ lhs: Expr, _ rhs: Expr, _ location: SourceLocation) {
        self.isAnd = isAnd; self.lhs = lhs; self.rhs = rhs
        super.init(location, height: max(lhs.height, rhs.height) + 1)
    }
    override func evaluate(_ i: Interpreter) throws -> Value { try i.visit(self) }
}

struct KeywordArgument {
    let name: String
    let value: Expr
    let location: SourceLocation
}

final class CallExpr: Expr {
    let callee: Expr
    let arguments: [Expr]
    let keywords: [KeywordArgument]
    init(_ callee: Expr, _ arguments: [Expr], _ keywords: [KeywordArgument], _ location: SourceLocation) {
        self.callee = callee; self.arguments = arguments; self.keywords = keywords
        let h = ([callee.height] + arguments.map(\.height) + keywords.map(\.value.height)).max()!
        super.init(location, height: h + 1)
    }
    override func evaluate(_ i: Interpreter) throws -> Value { try i.visit(self) }
}

final class MemberExpr: Expr {
    let object: Expr
    let name: String
    init(_ object: Expr, _ name: String, _ location: SourceLocation) {
        self.object = object; self.name = name
        super.init(location, height: object.height + 1)
    }
    override func evaluate(_ i: Interpreter) throws -> Value { try i.visit(self) }
}

/// One component inside `[...]`: an expression or a slice `a:b:c`.
enum SubscriptExpr {
    case single(Expr)
    case slice(Expr?, Expr?, Expr?)
}

final class IndexExpr: Expr {
    let object: Expr
    let subscripts: [SubscriptExpr]
    init(_ object: Expr, _ subscripts: [SubscriptExpr], _ location: SourceLocation) {
        self.object = object; self.subscripts = subscripts
        var h = object.height
        for s in subscripts {
            switch s {
            case .single(let e): h = max(h, e.height)
            case let .slice(a, b, c): h = max(h, a?.height ?? 0, b?.height ?? 0, c?.height ?? 0)
            }
        }
        super.init(location, height: h + 1)
    }
    override func evaluate(_ i: Interpreter) throws -> Value { try i.visit(self) }
}

/// One part of an f-string: text, or a field whose value is formatted.
indirect enum FormatPart {
    case text(String)
    case field(FormatFieldExpr)
}

struct FormatFieldExpr {
    let value: Expr
    /// `r` or `s` after `!`.
    let conversion: Character?
    let spec: [FormatPart]
    /// `x=` for `{x=}`: shown before the value.
    let label: String?
}

/// `f"reward {r:.3f}"`.
final class FormatStringExpr: Expr {
    let parts: [FormatPart]
    init(_ parts: [FormatPart], _ location: SourceLocation) {
        self.parts = parts
        func height(_ ps: [FormatPart]) -> Int {
            ps.map { p -> Int in
                if case .field(let f) = p { return max(f.value.height, height(f.spec)) }
                return 0
            }.max() ?? 0
        }
        super.init(location, height: height(parts) + 1)
    }
    override func evaluate(_ i: Interpreter) throws -> Value { try i.visit(self) }
}

// MARK: Statements

/// What a statement tells the enclosing loop or function to do next.
enum Flow {
    case normal
    case breakLoop
    case continueLoop
    case returned(Value)
}

public class Stmt {
    public let location: SourceLocation
    init(_ location: SourceLocation) { self.location = location }
    func execute(_ i: Interpreter) throws -> Flow { fatalError("abstract") }
}

final class ExprStmt: Stmt {
    let expr: Expr
    init(_ expr: Expr) { self.expr = expr; super.init(expr.location) }
    override func execute(_ i: Interpreter) throws -> Flow { try i.visit(self) }
}

/// Something a value can be stored into.
enum AssignTarget {
    case name(NameExpr)
    case member(Expr, String, SourceLocation)
    case index(Expr, [SubscriptExpr], SourceLocation)
}

/// `a = v` or `a, b = v` (unpacking a list of the same length).
final class AssignStmt: Stmt {
    let targets: [AssignTarget]
    let value: Expr
    init(_ targets: [AssignTarget], _ value: Expr, _ location: SourceLocation) {
        self.targets = targets; self.value = value; super.init(location)
    }
    override func execute(_ i: Interpreter) throws -> Flow { try i.visit(self) }
}

/// `a += v` and friends.
final class AugmentedAssignStmt: Stmt {
    let target: AssignTarget
    let read: Expr
    let op: BinaryOperator
    let value: Expr
    init(_ target: AssignTarget, read: Expr, _ op: BinaryOperator, _ value: Expr, _ location: SourceLocation) {
        self.target = target; self.read = read; self.op = op; self.value = value; super.init(location)
    }
    override func execute(_ i: Interpreter) throws -> Flow { try i.visit(self) }
}

final class IfStmt: Stmt {
    let branches: [(Expr, [Stmt])]
    let elseBody: [Stmt]?
    init(_ branches: [(Expr, [Stmt])], _ elseBody: [Stmt]?, _ location: SourceLocation) {
        self.branches = branches; self.elseBody = elseBody; super.init(location)
    }
    override func execute(_ i: Interpreter) throws -> Flow { try i.visit(self) }
}

final class ForStmt: Stmt {
    let targets: [AssignTarget]
    let iterable: Expr
    let body: [Stmt]
    init(_ targets: [AssignTarget], _ iterable: Expr, _ body: [Stmt], _ location: SourceLocation) {
        self.targets = targets; self.iterable = iterable; self.body = body; super.init(location)
    }
    override func execute(_ i: Interpreter) throws -> Flow { try i.visit(self) }
}

final class WhileStmt: Stmt {
    let condition: Expr
    let body: [Stmt]
    init(_ condition: Expr, _ body: [Stmt], _ location: SourceLocation) {
        self.condition = condition; self.body = body; super.init(location)
    }
    override func execute(_ i: Interpreter) throws -> Flow { try i.visit(self) }
}

struct ParameterDecl {
    let name: String
    let defaultValue: Expr?
    let location: SourceLocation
}

/// What a named `fn` statement and an anonymous `fn(...) { ... }` share:
/// parameters, body and the frame layout the resolver works out.
final class FunctionBody {
    let parameters: [ParameterDecl]
    let body: [Stmt]
    /// An anonymous function's value is that of its last statement when that
    /// is an expression (`fn(r) { r.weight > 1 }`); a named one needs `return`.
    let returnsLastExpression: Bool
    /// Filled by the resolver: the local variables (parameters first).
    var localNames: [String] = []
    /// Filled by the resolver: how many local slots a call needs.
    var localCount = 0
    /// Filled by the resolver: the locals that inner functions capture, kept in boxes.
    var boxedSlots: [Int] = []
    /// Filled by the resolver: the variables of enclosing functions this one
    /// uses, taken when the function value is created.
    var captures: [CaptureSource] = []
    init(_ parameters: [ParameterDecl], _ body: [Stmt], returnsLastExpression: Bool) {
        self.parameters = parameters; self.body = body; self.returnsLastExpression = returnsLastExpression
    }
}

final class FunctionStmt: Stmt {
    let name: NameExpr
    let function: FunctionBody
    var parameters: [ParameterDecl] { function.parameters }
    init(_ name: NameExpr, _ parameters: [ParameterDecl], _ body: [Stmt], _ location: SourceLocation) {
        self.name = name
        self.function = FunctionBody(parameters, body, returnsLastExpression: false)
        super.init(location)
    }
    override func execute(_ i: Interpreter) throws -> Flow { try i.visit(self) }
}

/// `fn(r) { r.weight > 1 }`: an anonymous function, a value like any other.
final class LambdaExpr: Expr {
    let function: FunctionBody
    init(_ parameters: [ParameterDecl], _ body: [Stmt], _ location: SourceLocation) {
        function = FunctionBody(parameters, body, returnsLastExpression: true)
        super.init(location)
    }
    override func evaluate(_ i: Interpreter) throws -> Value { try i.visit(self) }
}

final class ReturnStmt: Stmt {
    let value: Expr?
    init(_ value: Expr?, _ location: SourceLocation) { self.value = value; super.init(location) }
    override func execute(_ i: Interpreter) throws -> Flow { .returned(try value?.evaluate(i) ?? .none) }
}

final class BreakStmt: Stmt {
    override func execute(_ i: Interpreter) throws -> Flow { .breakLoop }
}

final class ContinueStmt: Stmt {
    override func execute(_ i: Interpreter) throws -> Flow { .continueLoop }
}

/// A parsed source file or REPL cell.
public final class Program {
    public let source: SourceFile
    let statements: [Stmt]
    init(source: SourceFile, statements: [Stmt]) { self.source = source; self.statements = statements }
    public var isEmpty: Bool { statements.isEmpty }
}
