# node-gyp builds (the fallback where CMake is missing) are local builds: the CPU engine is
# compiled for this machine (-march=native on x64, 256-bit vectors as in the CMake builds' -v4
# variant), without the run-time dispatch of CMake builds.
# The source lists live in native/sources.json (shared with CMakeLists.txt).
{
  "targets": [
    {
      "target_name": "linrec",
      "sources": [
        "<!@(node -p \"const s = require('./native/sources.json'); s.binding.concat(s.cpu).join(' ')\")"
      ],
      "include_dirs": ["<!(node -p \"require('path').dirname(require.resolve('node-addon-api/package.json'))\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "LINREC_NO_CUDA=2"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp-simd", "-fno-trapping-math", "-fvisibility=hidden", "-fvisibility-inlines-hidden"],
      "conditions": [
        ["OS=='linux'", {
          "ldflags": ["-Wl,--version-script=<(module_root_dir)/native/binding/exports.map"]
        }],
        ["target_arch=='x64' and OS!='win'", {
          "cflags_cc": ["-march=native", "-mprefer-vector-width=256"],
          "defines": ["LINREC_CPU_NATIVE"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-march=native", "-mprefer-vector-width=256"] }
        }]
      ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-trapping-math"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17", "/O2"] }
      }
    }
  ]
}
