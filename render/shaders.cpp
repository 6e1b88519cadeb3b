// GLSL 330 sources for the renderer's programs and a compile/link helper.
#include "render/shaders.hpp"

#include <string>

namespace strokeviz::render::shaders {

// Built twice: plain (u_mode 0 = active offset per arm, 2 = needle-target
// marker) and with CLOUD defined (every offset, instance = offset index, no
// marker, square points) so the big instanced cloud runs the leanest shader. Colour rule for the current stroke:
// poses before u_pose done (orange), u_pose current (red, bigger), after
// pending (pen colour); other strokes in their pen colour, done ones dimmed.
const char* const kStrokeVs = R"(#version 330 core
layout(location = 0) in vec3 a_pos;
layout(location = 1) in uvec2 a_ids;  // x: stroke; y: pose | arm << 16 | pen << 17
uniform mat4 u_view_proj;
uniform vec3 u_normal;
uniform float u_offset[2];
uniform float u_offset_min;
uniform float u_offset_max;
uniform int u_offset_num;
uniform int u_mode;
uniform int u_stroke;
uniform int u_pose;
uniform float u_point_size;
uniform vec3 u_pen_rgb[64];  // set at upload; pen 255: unknown (grey)
flat out vec4 v_rgba;  // a < 0.5: the needle-target marker
const vec3 kDone = vec3(1.0, 0.55, 0.0);
const vec3 kCurrent = vec3(1.0, 0.0, 0.0);
void main() {
  int stroke = int(a_ids.x);
  int pose = int(a_ids.y & 0xffffu);
  int arm = int((a_ids.y >> 16) & 1u);
  int pen = int(a_ids.y >> 17);
#ifdef CLOUD
  float t = u_offset_num > 1 ? float(gl_InstanceID) / float(u_offset_num - 1) : 0.0;
  float off = mix(u_offset_min, u_offset_max, t);
#else
  float off = u_offset[arm];
#endif
  gl_Position = u_view_proj * vec4(a_pos + off * u_normal, 1.0);
  float size = u_point_size;
  vec3 c = pen < 64 ? u_pen_rgb[pen] : vec3(0.63);
  if (stroke == u_stroke) {
    if (pose < u_pose) c = kDone;
    else if (pose == u_pose) { c = kCurrent; size *= 2.0; }
  } else if (stroke < u_stroke) {
    c *= 0.6;
  }
  float a = 1.0;
#ifndef CLOUD
  if (u_mode == 2) { c = kCurrent; size = max(3.0 * u_point_size, 9.0); a = 0.0; }
#endif
  gl_PointSize = size;
  v_rgba = vec4(c, a);
}
)";

// u_round: points are discs (lines and tiny points stay square). Colours are
// flat (one per vertex, no interpolation): cheaper per point on llvmpipe.
const char* const kStrokeFs = R"(#version 330 core
flat in vec4 v_rgba;
uniform int u_round;
out vec4 o_color;
void main() {
  vec3 c = v_rgba.rgb;
#ifndef CLOUD
  if (u_round != 0) {
    vec2 p = gl_PointCoord * 2.0 - 1.0;
    float r2 = dot(p, p);
    if (r2 > 1.0) discard;
    if (v_rgba.a < 0.5 && r2 > 0.55) c = vec3(1.0);
  }
#endif
  o_color = vec4(c, 1.0);
}
)";

const char* const kLitVs = R"(#version 330 core
layout(location = 0) in vec3 a_pos;
layout(location = 1) in vec3 a_normal;
uniform mat4 u_view_proj;
uniform mat4 u_model;
uniform mat3 u_normal_view;  // view rotation * inverse-transpose(model 3x3)
out vec3 v_normal;
void main() {
  gl_Position = u_view_proj * (u_model * vec4(a_pos, 1.0));
  v_normal = u_normal_view * a_normal;
}
)";

// Headlight along the view axis; two-sided so meshes with flipped winding still shade.
const char* const kLitFs = R"(#version 330 core
in vec3 v_normal;
uniform vec4 u_color;
out vec4 o_color;
void main() {
  float len = length(v_normal);
  float lambert = len > 0.0 ? abs(v_normal.z) / len : 1.0;
  o_color = vec4(u_color.rgb * (0.35 + 0.65 * lambert), u_color.a);
}
)";

const char* const kFlatVs = R"(#version 330 core
layout(location = 0) in vec3 a_pos;
layout(location = 1) in vec4 a_color;
uniform mat4 u_view_proj;
out vec4 v_color;
void main() {
  gl_Position = u_view_proj * vec4(a_pos, 1.0);
  v_color = a_color;
}
)";

const char* const kFlatFs = R"(#version 330 core
in vec4 v_color;
out vec4 o_color;
void main() { o_color = v_color; }
)";

namespace {

std::string shader_log(GLuint s) {
  GLint len = 0;
  glGetShaderiv(s, GL_INFO_LOG_LENGTH, &len);
  std::string log(static_cast<size_t>(len > 1 ? len : 1), '\0');
  glGetShaderInfoLog(s, len, nullptr, log.data());
  return log;
}

std::string program_log(GLuint p) {
  GLint len = 0;
  glGetProgramiv(p, GL_INFO_LOG_LENGTH, &len);
  std::string log(static_cast<size_t>(len > 1 ? len : 1), '\0');
  glGetProgramInfoLog(p, len, nullptr, log.data());
  return log;
}

// `defines` go right after the #version line (the first line of src).
Expected<gl::Shader> compile(std::string_view name, GLenum type, const char* src, std::string_view defines) {
  const std::string text(src);
  const auto eol = text.find('\n') + 1;
  const std::string full = text.substr(0, eol) + std::string(defines) + text.substr(eol);
  const char* c = full.c_str();
  gl::Shader s(glCreateShader(type));
  glShaderSource(s.get(), 1, &c, nullptr);
  glCompileShader(s.get());
  GLint ok = 0;
  glGetShaderiv(s.get(), GL_COMPILE_STATUS, &ok);
  if (!ok) {
    const char* stage = type == GL_VERTEX_SHADER ? "vertex" : "fragment";
    return Error{"", 0, "build_program(): " + std::string(name) + " " + stage +
                            " shader: " + shader_log(s.get())};
  }
  return s;
}

}  // namespace

Expected<gl::Program> build_program(std::string_view name, const char* vs, const char* fs,
                                    std::string_view defines) {
  auto v = compile(name, GL_VERTEX_SHADER, vs, defines);
  if (!v) return v.error();
  auto f = compile(name, GL_FRAGMENT_SHADER, fs, defines);
  if (!f) return f.error();
  auto p = gl::Program::create();
  glAttachShader(p.get(), v->get());
  glAttachShader(p.get(), f->get());
  glLinkProgram(p.get());
  glDetachShader(p.get(), v->get());
  glDetachShader(p.get(), f->get());
  GLint ok = 0;
  glGetProgramiv(p.get(), GL_LINK_STATUS, &ok);
  if (!ok) return Error{"", 0, "build_program(): " + std::string(name) + " link: " + program_log(p.get())};
  return p;
}

}  // namespace strokeviz::render::shaders
