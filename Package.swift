// swift-tools-version:6.0
// fairgrpo: a notebook-style REPL and scripting environment for fairness-aware RL.
//
// Module graph: each module and what it imports. Every arrow points down the
// list, so dependencies go one way; Package.swift declares exactly these.
//
//   fairgrpo        -> Notebook Lang Tensors CReadline   the command: REPL, run, notebook, doctest, kernel
//   fairgrpo-bench  -> RL Fairness Cluster Data NN Tensors
//   Notebook        -> Lang RL Plot Fairness Cluster Data NN Render Tensors
//                      the binding layer: builtins, sessions, notebook export
//   Lang            -> (nothing)     lexer, parser, resolver, interpreter; knows nothing about ML
//   RL              -> Fairness Cluster Data NN Render Tensors
//                      policy, advantage methods, trainer, trainer options, checkpoints
//   Plot            -> Render        charts drawn to PNG
//   Fairness        -> Data Render   fairness metrics and reports
//   Data            -> Render Tensors CPNG   datasets: CSV, images, rollouts, splits, masking
//   Cluster         -> Tensors       k-means and choosing k
//   NN              -> Tensors CKernels      layers, optimizers, parameter files
//   Render          -> Tensors CPNG  text tables, the terminal's width, PNG encoding
//   Tensors         -> CBLAS CSystem CKernels
//                      tensors, autodiff, random numbers, the BLAS bridge, the fused policy loss
//   CBLAS (OpenBLAS), CPNG (libpng), CReadline (GNU readline): system libraries;
//   CSystem (CPU features), CKernels (vectorised loops): C helpers.
import PackageDescription

let package = Package(
    name: "fairgrpo",
    products: [
        .executable(name: "fairgrpo", targets: ["fairgrpo"]),
        .executable(name: "fairgrpo-bench", targets: ["fairgrpo-bench"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "NN", targets: ["NN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries. Each names the Debian package that provides it.
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),
        // readline's pkg-config file adds -D flags SwiftPM rejects, so it is linked
        // from the module map instead.
        .systemLibrary(
            name: "CReadline", path: "Sources/CReadline",
            providers: [.apt(["libreadline-dev"])]),
        // Small C helpers Swift cannot express: CPUID feature tests.
        .target(name: "CSystem", path: "Sources/CSystem"),
        // Fused numeric loops, vectorised per CPU (see kernels.c).
        .target(
            name: "CKernels", path: "Sources/CKernels",
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),

        .target(
            name: "Tensors", dependencies: ["CBLAS", "CSystem", "CKernels"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        .target(name: "NN", dependencies: ["Tensors", "CKernels"]),
        // What a person sees, shared by every module that shows something:
        // aligned text tables, the terminal's width, PNG encoding.
        .target(name: "Render", dependencies: ["Tensors", "CPNG"]),
        // Datasets: CSV and PNG loading, the demo benchmark, splits and masking.
        .target(name: "Data", dependencies: ["Tensors", "CPNG", "Render"]),
        // k-means and choosing k (groups when demographics are missing).
        .target(name: "Cluster", dependencies: ["Tensors"]),
        // Policy, GRPO family, FairGRPO, trainer.
        .target(name: "RL", dependencies: ["Tensors", "NN", "Render", "Data", "Cluster", "Fairness"]),
        // Charts drawn to PNG (canvas, bitmap font, line/bar/scatter/heatmap).
        .target(name: "Plot", dependencies: ["Render"]),
        // Fairness metrics and reports (the paper's, fairlearn-style group tables).
        .target(name: "Fairness", dependencies: ["Data", "Render"]),
        // The language: lexer, parser, interpreter. Knows nothing about ML.
        .target(
            name: "Lang",
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        // The binding layer: builtins, sessions, notebook export.
        .target(name: "Notebook", dependencies: ["Lang", "Tensors", "NN", "Render", "Data", "Fairness", "Cluster", "RL", "Plot"]),
        .executableTarget(
            name: "fairgrpo",
            dependencies: [
                "Tensors", "Lang", "Notebook", "Render", "CReadline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "fairgrpo-bench", dependencies: ["Tensors", "NN", "Cluster", "Fairness", "Data", "RL"]),

        // Helpers every test target shares: approximate comparison and the gradient
        // checker, a notebook session whose output is collected, temporary directories.
        .target(name: "TestSupport", dependencies: ["Tensors", "Data", "RL", "Lang", "Notebook"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensors", "TestSupport"]),
        // Fixtures live in Tests/DataTests/Fixtures and are found through #filePath.
        .testTarget(
            name: "DataTests", dependencies: ["Data", "Render", "Tensors", "Notebook", "Lang", "TestSupport"],
            exclude: ["Fixtures"]),
        // Fixtures (scikit-learn and NumPy references) live in Tests/ClusterTests/Fixtures.
        .testTarget(
            name: "ClusterTests", dependencies: ["Cluster", "Tensors", "Notebook", "Lang", "TestSupport"],
            exclude: ["Fixtures"]),
        // Runs the built fairgrpo binary on the scripts in Tests/Golden and
        // compares stdout, stderr and the exit status with the files beside them.
        .testTarget(name: "EndToEndTests", dependencies: ["Lang", "Notebook", "TestSupport"]),
        // Reference fixtures (scripts/fairness_reference.py) live in Tests/FairnessTests/Fixtures.
        .testTarget(
            name: "FairnessTests", dependencies: ["Fairness", "Data", "Tensors", "Notebook", "Lang", "TestSupport"],
            exclude: ["Fixtures"]),
        // Decodes written charts with libpng and checks their pixels; runs the chart builtins.
        .testTarget(name: "PlotTests", dependencies: ["Plot", "Data", "Notebook", "TestSupport"]),
        // The language tested directly: lexer, parser, resolver, interpreter,
        // f-strings against Python's format() (Fixtures/format.tsv).
        .testTarget(name: "LangTests", dependencies: ["Lang"], exclude: ["Fixtures"]),
        // The binding layer: builtins run through a notebook session as a person types them.
        .testTarget(name: "NotebookTests", dependencies: ["Notebook", "Lang", "Data", "Cluster", "Fairness", "RL", "Render", "Tensors", "TestSupport"]),
        // Checkpoints of every format version live in Tests/RLTests/Fixtures.
        .testTarget(
            name: "RLTests", dependencies: ["RL", "Render", "Cluster", "Data", "Tensors", "NN", "Fairness", "Notebook", "Lang", "TestSupport"],
            exclude: ["Fixtures"]),
    ]
)
