// GLSL 330 sources for the renderer's programs and a compile/link helper.
#pragma once

#include <string_view>

#include "common/expected.hpp"
#include "render/gl_resources.hpp"

namespace strokeviz::render::shaders {

// Strokes: one vertex per pose at offset 0; offset, colours and sizes from uniforms.
extern const char* const kStrokeVs;
extern const char* const kStrokeFs;
// Lit triangles (robot links, ink caps): Lambert with a headlight + ambient.
extern const char* const kLitVs;
extern const char* const kLitFs;
// Unlit coloured lines/triangles (grid, axes, skin).
extern const char* const kFlatVs;
extern const char* const kFlatFs;

// Compiles and links; `defines` ("#define X\n" lines) are inserted after
// #version. The error names the program and carries the GL info log.
Expected<gl::Program> build_program(std::string_view name, const char* vs, const char* fs,
                                    std::string_view defines = {});

}  // namespace strokeviz::render::shaders
