// RenderGLTest: the renderer on a real GL 3.3 context (run under scripts/with_xvfb.sh).
#include <cstdio>
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "render/gl_window.hpp"
#include "tests/render/gl_fixture.hpp"
#include "load/scene_loader.hpp"
#include "load/urdf_loader.hpp"

namespace strokeviz::render {
namespace {

using namespace testing;
constexpr int kW = 640, kH = 480;

class RenderGLTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    WindowOptions o;
    o.width = kW;
    o.height = kH;
    o.visible = false;
    o.vsync = false;
    auto w = GlWindow::create(o);
    ASSERT_TRUE(w.ok()) << w.error().str();
    window_ = new GlWindow(std::move(*w));
    renderer_ = new SceneRenderer();
    auto ok = renderer_->init();
    ASSERT_TRUE(ok.ok()) << ok.error().str();
    scene_ = new model::Scene(two_stroke_scene());
    renderer_->upload_scene(*scene_);
    auto robot = load::load_urdf(STROKEVIZ_SOURCE_DIR "/tests/data/render/two_arm.urdf");
    ASSERT_TRUE(robot.ok()) << robot.error().str();
    robot_ = new model::RobotModel(std::move(*robot));
    auto arms = robot_->set_arms({"left/tattoo_needle", "right/tattoo_needle"});
    ASSERT_TRUE(arms.ok()) << arms.error().str();
    renderer_->upload_robot(*robot_);
    link_world_ = new std::vector<Eigen::Isometry3d>();
    model::JointVector q{};
    q[1] = q[8] = 0.3;  // lean both shoulders forward a little
    robot_->forward_kinematics(q, *link_world_);
  }
  static void TearDownTestSuite() {
    delete link_world_;
    delete robot_;
    delete scene_;
    delete renderer_;  // before the window: it owns GL objects of that context
    delete window_;
    terminate_glfw();
  }
  void SetUp() override {
    ASSERT_NE(window_, nullptr);
    ASSERT_NE(renderer_, nullptr);
  }

  static FrameInput frame() {
    OrbitCamera cam;
    cam.set_home({0.18f, 0.f, 0.1f}, 0.75f, 0.35f, 0.55f);
    FrameInput in;
    in.fb_width = kW;
    in.fb_height = kH;
    in.viewport = {0, 0, kW, kH};
    in.view = cam.view();
    in.proj = cam.projection(static_cast<float>(kW) / kH);
    in.stroke_idx = 0;
    in.pose_idx = 20;
    in.link_world = link_world_;
    in.point_size = 4.f;
    return in;
  }
  static Image draw(const FrameInput& in) {
    renderer_->draw(in);
    Image img{kW, kH, read_framebuffer_rgb(kW, kH)};
    return img;
  }

  static GlWindow* window_;
  static SceneRenderer* renderer_;
  static model::Scene* scene_;
  static model::RobotModel* robot_;
  static std::vector<Eigen::Isometry3d>* link_world_;
};

GlWindow* RenderGLTest::window_ = nullptr;
SceneRenderer* RenderGLTest::renderer_ = nullptr;
model::Scene* RenderGLTest::scene_ = nullptr;
model::RobotModel* RenderGLTest::robot_ = nullptr;
std::vector<Eigen::Isometry3d>* RenderGLTest::link_world_ = nullptr;

TEST_F(RenderGLTest, ContextIsGl33Core) {
  const std::string d = window_->gl_description();
  EXPECT_NE(d.find("OpenGL"), std::string::npos) << d;
  int major = 0, minor = 0;
  ASSERT_EQ(std::sscanf(d.c_str(), "OpenGL %d.%d", &major, &minor), 2) << d;
  EXPECT_GE(major * 10 + minor, 33) << d;  // Mesa hands out its newest core version
}

TEST_F(RenderGLTest, StrokesDrawInPenAndProgressColours) {
  const FrameInput in = frame();
  const Image img = draw(in);
  EXPECT_GT(img.count(is_blue), 40) << "pending part of the current (blue) stroke";
  EXPECT_GT(img.count(is_red), 40) << "the pending red stroke";
  EXPECT_GT(img.count(is_orange), 40) << "done poses of the current stroke";
  // The current pose: red (bigger point and needle-target marker) right where it is.
  const Eigen::Vector2f px = project(in, scene_->strokes[0].arm[0].poses[20]);
  EXPECT_TRUE(img.any_near(static_cast<int>(px.x()), static_cast<int>(px.y()), 3, is_red))
      << "no red marker at " << px.transpose();
  const Eigen::Vector2f before = project(in, scene_->strokes[0].arm[0].poses[5]);
  EXPECT_FALSE(img.any_near(static_cast<int>(before.x()), static_cast<int>(before.y()), 2, is_red));
}

TEST_F(RenderGLTest, MarkerFollowsThePoseWithoutPointsOrLines) {
  FrameInput in = frame();
  in.show_lines = false;
  in.show_active_points = false;
  in.pose_idx = 33;
  const Image img = draw(in);
  const Eigen::Vector2f px = project(in, scene_->strokes[0].arm[0].poses[33]);
  EXPECT_TRUE(img.any_near(static_cast<int>(px.x()), static_cast<int>(px.y()), 2, is_red));
  EXPECT_EQ(img.count(is_orange), 0);
}

TEST_F(RenderGLTest, BackgroundIsDarkBlueGrey) {
  FrameInput in = frame();
  const Image img = draw(in);
  const std::size_t corner = 0;  // top-left pixel: nothing drawn there
  EXPECT_NEAR(img.rgb[corner], 28, 2);
  EXPECT_NEAR(img.rgb[corner + 1], 31, 2);
  EXPECT_NEAR(img.rgb[corner + 2], 36, 2);
}

TEST_F(RenderGLTest, RobotAddsManyGreyPixels) {
  FrameInput in = frame();
  in.show_robot = false;
  const int without = draw(in).count(is_greyish);
  in.show_robot = true;
  const int with = draw(in).count(is_greyish);
  EXPECT_GT(with - without, 3000) << "without " << without << ", with " << with;
  in.link_world = nullptr;  // no pose yet: no robot, no crash
  EXPECT_EQ(draw(in).count(is_greyish), without);
}

TEST_F(RenderGLTest, SteppingStrokePoseOffsetUploadsNothing) {
  FrameInput in = frame();
  draw(in);
  const auto uploads = renderer_->stats().buffer_uploads;
  EXPECT_GT(uploads, 0u);
  for (int i = 0; i < 60; ++i) {
    in.stroke_idx = i % 2;
    in.pose_idx = i % 40;
    in.offset_idx = {i % 8, (i * 3) % 8};
    in.show_all_offsets = (i % 3) == 0;
    renderer_->draw(in);
  }
  EXPECT_EQ(renderer_->stats().buffer_uploads, uploads);
}

TEST_F(RenderGLTest, AllOffsetsDrawsEveryOffsetByInstancing) {
  FrameInput in = frame();
  in.show_lines = in.show_active_points = in.show_robot = in.show_grid = false;
  in.show_skin = in.show_inkcaps = false;
  in.stroke_idx = -1;  // no current stroke: no marker
  in.show_all_offsets = true;
  const auto uploads = renderer_->stats().buffer_uploads;
  draw(in);
  const RenderStats& st = renderer_->stats();
  EXPECT_EQ(st.stroke_vertices, 80u);
  EXPECT_EQ(st.vertices_drawn, st.stroke_vertices * 8u);
  EXPECT_EQ(st.draw_calls, 1u);
  EXPECT_EQ(st.buffer_uploads, uploads);
  in.show_all_offsets = false;
  in.show_active_points = true;
  draw(in);
  EXPECT_EQ(renderer_->stats().vertices_drawn, 80u);
}

TEST_F(RenderGLTest, OffsetMovesPointsAlongTheSkinNormal) {
  FrameInput in = frame();
  in.show_robot = in.show_grid = in.show_skin = in.show_inkcaps = in.show_lines = false;
  in.show_active_points = true;
  in.offset_idx = {7, 7};
  const Image img = draw(in);
  const Eigen::Vector3d lifted = scene_->strokes[1].arm[1].poses[10] + scene_->offset_value(7) * scene_->skin_normal();
  const Eigen::Vector2f px = project(in, lifted);
  EXPECT_TRUE(img.any_near(static_cast<int>(px.x()), static_cast<int>(px.y()), 1, is_red));
  const Eigen::Vector2f base = project(in, scene_->strokes[1].arm[1].poses[10]);
  ASSERT_GT((px - base).norm(), 4.f) << "offset too small to tell apart on screen";
  EXPECT_FALSE(img.any_near(static_cast<int>(base.x()), static_cast<int>(base.y()), 1, is_red));
}

TEST_F(RenderGLTest, DrawsOnlyInsideTheViewport) {
  FrameInput in = frame();
  in.viewport = {240, 0, kW - 240, kH};
  in.proj = OrbitCamera().projection(static_cast<float>(kW - 240) / kH);
  const Image img = draw(in);
  for (int y = 0; y < kH; y += 7)
    for (int x = 0; x < 240; x += 5) {
      const std::size_t i = (static_cast<std::size_t>(y) * kW + static_cast<std::size_t>(x)) * 3;
      ASSERT_NEAR(img.rgb[i], 28, 2) << "pixel " << x << "," << y << " is not background";
    }
  EXPECT_GT(img.count(is_blue) + img.count(is_red), 20);
}

TEST_F(RenderGLTest, ScreenshotIsWritten) {
  const Image img = draw(frame());
  const std::string path = STROKEVIZ_BINARY_DIR "/render_gl_test.png";
  auto ok = write_png(path, img.width, img.height, img.rgb);
  ASSERT_TRUE(ok.ok()) << ok.error().str();
  EXPECT_GT(std::filesystem::file_size(path), 1000u);
  EXPECT_FALSE(write_png(path, 10, 10, {}).ok());
}

}  // namespace
}  // namespace strokeviz::render
