// bench_render: frame times of the 3D view and of the all-offsets cloud vs a bare GL program.
// Usage: scripts/with_xvfb.sh bench_render [--samples=N] [screenshot.png]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <glad/gl.h>
#include <GLFW/glfw3.h>

#include "model/robot_model.hpp"
#include "model/scene.hpp"
#include "render/camera.hpp"
#include "render/gl_window.hpp"
#include "render/renderer.hpp"
#include "load/scene_loader.hpp"
#include "load/urdf_loader.hpp"

namespace fs = std::filesystem;
using namespace strokeviz;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kW = 1280, kH = 800;

struct Timing {
  double median_ms = 0, p95_ms = 0;
  int frames = 0;
};

// Runs `frame` (which must end in glFinish) until `budget_s` or `max_frames`, after 2 warm-ups.
Timing measure(const std::function<void()>& frame, double budget_s = 0.6, int max_frames = 40) {
  for (int i = 0; i < 2; ++i) frame();
  std::vector<double> ms;
  const auto start = Clock::now();
  while (static_cast<int>(ms.size()) < max_frames &&
         (ms.size() < 5 || std::chrono::duration<double>(Clock::now() - start).count() < budget_s)) {
    const auto t0 = Clock::now();
    frame();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  Timing t;
  t.frames = static_cast<int>(ms.size());
  t.median_ms = ms[ms.size() / 2];
  t.p95_ms = ms[std::min(ms.size() - 1, static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(ms.size()))) - 1)];
  return t;
}

// Alternates a and b frame by frame so both see the same machine load
// (the 2 CPU cores are shared); returns their timings.
std::pair<Timing, Timing> measure_pair(const std::function<void()>& a, const std::function<void()>& b,
                                       double budget_s, int max_pairs) {
  a();
  b();
  std::vector<double> ta, tb;
  const auto start = Clock::now();
  while (static_cast<int>(ta.size()) < max_pairs &&
         (ta.size() < 4 || std::chrono::duration<double>(Clock::now() - start).count() < budget_s)) {
    for (auto [f, out] : {std::pair{&a, &ta}, std::pair{&b, &tb}}) {
      const auto t0 = Clock::now();
      (*f)();
      out->push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
  }
  auto stats = [](std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    Timing t;
    t.frames = static_cast<int>(ms.size());
    t.median_ms = ms[ms.size() / 2];
    t.p95_ms = ms[std::min(ms.size() - 1, static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(ms.size()))) - 1)];
    return t;
  };
  return {stats(ta), stats(tb)};
}

void row(const char* name, const Timing& t, std::uint64_t vertices) {
  std::printf("  %-46s %9.2f %9.2f %6d %12llu\n", name, t.median_ms, t.p95_ms, t.frames,
              static_cast<unsigned long long>(vertices));
}

// strokes x poses per arm, both arms drawing, spread over the skin.
model::Scene synth_scene(int strokes, int poses, int offsets) {
  model::Scene s;
  s.name = "synthetic";
  s.stroke_length = poses;
  s.offset_num = offsets;
  s.offset_range = {-0.01, 0.01};
  s.skin_width_m = s.skin_height_m = 0.1;
  s.design_pose = Eigen::Isometry3d::Identity();
  s.design_pose.translate(Eigen::Vector3d(0.25, 0.0, 0.10));
  s.pens = {{"true_blue", model::Arm::Left, 0, {0.f, 0.5f, 1.f}, {}},
            {"bright_red", model::Arm::Right, 1, {1.f, 0.f, 0.f}, {}}};
  for (int k = 0; k < strokes; ++k) {
    model::StrokeStep step;
    for (int a = 0; a < 2; ++a) {
      auto& as = step.arm[static_cast<std::size_t>(a)];
      as.kind = model::StrokeKind::Draw;
      as.pen = s.pens[static_cast<std::size_t>(a)].name;
      const double cx = -0.04 + 0.08 * ((k * 37 + a * 11) % 100) / 100.0;
      const double cy = -0.04 + 0.08 * ((k * 53 + a * 29) % 100) / 100.0;
      for (int p = 0; p < poses; ++p) {
        const double t = 6.283 * p / poses;
        as.poses.push_back(s.design_pose * Eigen::Vector3d(cx + 0.01 * std::cos(t), cy + 0.01 * std::sin(t), 0));
      }
    }
    s.strokes.push_back(step);
  }
  return s;
}

// The baseline: the same number of points, pre-expanded over every offset,
// with a trivial shader (transform, fixed size, one colour).
class BarePoints {
 public:
  explicit BarePoints(const model::Scene& s) {
    std::vector<float> xyz;
    const Eigen::Vector3d n = s.skin_normal();
    for (int k = 0; k < s.offset_num; ++k)
      for (const auto& step : s.strokes)
        for (const auto& as : step.arm)
          if (as.kind != model::StrokeKind::Rest)
            for (const auto& p : as.poses) {
              const Eigen::Vector3f x = (p + s.offset_value(k) * n).cast<float>();
              xyz.insert(xyz.end(), {x.x(), x.y(), x.z()});
            }
    count_ = static_cast<GLsizei>(xyz.size() / 3);
    const char* vs = "#version 330 core\nlayout(location=0) in vec3 p; uniform mat4 m; uniform float s;\n"
                     "void main(){ gl_Position = m * vec4(p, 1.0); gl_PointSize = s; }\n";
    const char* fs = "#version 330 core\nout vec4 c; void main(){ c = vec4(0.0, 0.5, 1.0, 1.0); }\n";
    prog_ = glCreateProgram();
    for (auto [type, src] : {std::pair{GL_VERTEX_SHADER, vs}, std::pair{GL_FRAGMENT_SHADER, fs}}) {
      GLuint sh = glCreateShader(type);
      glShaderSource(sh, 1, &src, nullptr);
      glCompileShader(sh);
      glAttachShader(prog_, sh);
      glDeleteShader(sh);
    }
    glLinkProgram(prog_);
    glGenVertexArrays(1, &vao_);
    glGenBuffers(1, &vbo_);
    glBindVertexArray(vao_);
    glBindBuffer(GL_ARRAY_BUFFER, vbo_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(xyz.size() * sizeof(float)), xyz.data(), GL_STATIC_DRAW);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindVertexArray(0);
  }
  ~BarePoints() {
    glDeleteBuffers(1, &vbo_);
    glDeleteVertexArrays(1, &vao_);
    glDeleteProgram(prog_);
  }
  void draw(const Eigen::Matrix4f& view_proj, float size) const {
    glViewport(0, 0, kW, kH);
    glClearColor(0.11f, 0.12f, 0.14f, 1.f);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    glEnable(GL_PROGRAM_POINT_SIZE);
    glUseProgram(prog_);
    glUniformMatrix4fv(glGetUniformLocation(prog_, "m"), 1, GL_FALSE, view_proj.data());
    glUniform1f(glGetUniformLocation(prog_, "s"), size);
    glBindVertexArray(vao_);
    glDrawArrays(GL_POINTS, 0, count_);
    glFinish();
  }
  GLsizei count() const { return count_; }

 private:
  GLuint prog_ = 0, vao_ = 0, vbo_ = 0;
  GLsizei count_ = 0;
};

render::FrameInput view_of(const model::Scene& s, const std::vector<Eigen::Isometry3d>* link_world) {
  render::OrbitCamera cam;
  const Eigen::Vector3f c = s.design_pose.translation().cast<float>();
  cam.set_home(Eigen::Vector3f(c.x() * 0.6f, c.y(), c.z()), 0.75f, 0.6f, 0.6f);
  render::FrameInput in;
  in.fb_width = kW;
  in.fb_height = kH;
  in.viewport = {0, 0, kW, kH};
  in.view = cam.view();
  in.proj = cam.projection(static_cast<float>(kW) / kH);
  in.link_world = link_world;
  in.stroke_idx = static_cast<int>(s.strokes.size()) / 2;
  in.pose_idx = s.stroke_length / 2;
  in.offset_idx = {s.offset_num / 2, s.offset_num / 2};
  return in;
}

struct Robot {
  std::string label;
  model::RobotModel model;
  std::vector<Eigen::Isometry3d> link_world;
};

std::vector<Robot> load_robots() {
  std::vector<Robot> out;
  const model::JointVector ready{-0.333, 0.639, 0.667, -1.034, 0.541, 2.240, 0.04,
                                 0.333, 0.639, 0.667, -1.034, -0.541, -2.240, 0.04};
  for (auto [label, path] : {std::pair{"real tatbot.urdf (STL)", STROKEVIZ_SHARED_DIR "/tatbot/urdf/tatbot.urdf"},
                             std::pair{"assets/tatbot.urdf", STROKEVIZ_SOURCE_DIR "/assets/tatbot.urdf"}}) {
    if (!fs::exists(path)) continue;
    auto m = load::load_urdf(path);
    if (!m) {
      std::printf("  (skipping %s: %s)\n", label, m.error().str().c_str());
      continue;
    }
    Robot r{label, std::move(*m), {}};
    if (auto ok = r.model.set_arms({"left/tattoo_needle", "right/tattoo_needle"}); !ok)
      std::printf("  (%s: %s; drawn at joint zero)\n", label, ok.error().str().c_str());
    r.model.forward_kinematics(ready, r.link_world);
    std::size_t tris = 0, verts = 0;
    for (const auto& mesh : r.model.meshes()) {
      tris += mesh.indices.size() / 3;
      verts += mesh.positions.size() / 3;
    }
    std::printf("  robot %-24s %zu links, %zu meshes, %zu triangles, %zu vertices\n", label,
                r.model.links().size(), r.model.meshes().size(), tris, verts);
    out.push_back(std::move(r));
  }
  return out;
}

// (2) all offsets only vs (3) the bare program, same points, same size.
void cloud_vs_bare(const char* label, const model::Scene& s) {
  render::SceneRenderer r;
  if (auto ok = r.init(); !ok) {
    std::printf("init failed: %s\n", ok.error().str().c_str());
    return;
  }
  r.upload_scene(s);
  render::FrameInput in = view_of(s, nullptr);
  in.show_lines = in.show_active_points = in.show_robot = in.show_grid = in.show_skin = in.show_inkcaps = false;
  in.show_all_offsets = true;
  const float cloud_size = std::max(1.f, in.point_size - 1.f);  // what the renderer uses for the cloud
  BarePoints bare(s);
  const auto [cloud, base] = measure_pair([&] { r.draw(in); glFinish(); },
                                         [&] { bare.draw(in.proj * in.view, cloud_size); }, 1.5, 30);
  const std::uint64_t drawn = r.stats().vertices_drawn;
  std::printf("\n%s: %llu stroke vertices x %d offsets = %llu points\n", label,
              static_cast<unsigned long long>(r.stats().stroke_vertices), s.offset_num,
              static_cast<unsigned long long>(drawn));
  row("(2) all offsets only (instanced, uniforms)", cloud, drawn);
  row("(3) bare GL program, same points", base, static_cast<std::uint64_t>(bare.count()));
  std::printf("  ratio (2)/(3) = %.2f  (goal <= 1.25);  %.1f M points/s in (2)\n", cloud.median_ms / base.median_ms,
              static_cast<double>(drawn) / cloud.median_ms / 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  std::string png = STROKEVIZ_BINARY_DIR "/bench_render_tatbotlogo.png";
  render::WindowOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--samples=", 0) == 0) o.samples = std::stoi(a.substr(10));
    else png = a;
  }
  o.width = kW;
  o.height = kH;
  o.visible = false;
  o.vsync = false;
  auto win = render::GlWindow::create(o);
  if (!win) {
    std::fprintf(stderr, "%s\n", win.error().str().c_str());
    return 2;
  }
  GLint samples = 0;
  glGetIntegerv(GL_SAMPLES, &samples);
  std::printf("bench_render: %dx%d, MSAA samples %d, %s\n", kW, kH, samples, win->gl_description().c_str());

  model::Scene logo;
  const fs::path logo_dir = STROKEVIZ_SOURCE_DIR "/scenes/tatbotlogo";
  if (auto s = fs::exists(logo_dir) ? load::load_scene(logo_dir) : Expected<model::Scene>(Error{"", 0, "absent"})) {
    logo = std::move(*s);
    std::printf("  scene tatbotlogo: %zu strokes, stroke_length %d, offset_num %d\n", logo.strokes.size(),
                logo.stroke_length, logo.offset_num);
  } else {
    logo = synth_scene(19, 128, 32);
    std::printf("  scene tatbotlogo not loadable (%s): synthesized 19 x 128 x 32 x 2\n", s.error().str().c_str());
  }
  std::vector<Robot> robots = load_robots();

  std::printf("\n%-48s %9s %9s %6s %12s\n", "tatbotlogo, 1280x800, glFinish per frame", "median ms", "p95 ms",
              "frames", "vertices");
  {
    render::SceneRenderer r;
    if (auto ok = r.init(); !ok) {
      std::fprintf(stderr, "%s\n", ok.error().str().c_str());
      return 2;
    }
    r.upload_scene(logo);
    render::FrameInput in = view_of(logo, nullptr);
    in.show_robot = false;
    const Timing t0 = measure([&] { r.draw(in); glFinish(); });
    row("(0) default view, no robot", t0, r.stats().vertices_drawn);
    for (const Robot& rb : robots) {
      r.upload_robot(rb.model);
      in = view_of(logo, &rb.link_world);
      const Timing t1 = measure([&] { r.draw(in); glFinish(); });
      const std::uint64_t v1 = r.stats().vertices_drawn;
      row(("(1) default view + " + rb.label).c_str(), t1, v1);
      std::printf("      vs 16 ms budget: %.2fx\n", t1.median_ms / 16.0);
      in.show_all_offsets = true;
      const Timing t2 = measure([&] { r.draw(in); glFinish(); });
      row(("(2') all 32 offsets + " + rb.label).c_str(), t2, r.stats().vertices_drawn);
      in.show_all_offsets = false;
    }
    // Screenshots of the default view, one per robot (the first: the path given).
    for (std::size_t i = 0; i < std::max<std::size_t>(robots.size(), 1); ++i) {
      if (i < robots.size()) {
        r.upload_robot(robots[i].model);
        in = view_of(logo, &robots[i].link_world);
      }
      r.draw(in);
      const auto rgb = render::read_framebuffer_rgb(kW, kH);
      fs::path out = png;
      if (i > 0) out = out.replace_extension("").string() + "_robot" + std::to_string(i) + ".png";
      if (auto ok = render::write_png(out.string(), kW, kH, rgb); ok) std::printf("  screenshot: %s\n", out.c_str());
      else std::printf("  screenshot failed: %s\n", ok.error().str().c_str());
    }
  }
  cloud_vs_bare("tatbotlogo", logo);
  cloud_vs_bare("synthetic 212 strokes x 108 poses x 2 arms", synth_scene(212, 108, 32));
  return 0;
}
