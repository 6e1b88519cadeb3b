// RobotModel: URDF loading, visuals, meshes, errors, arms and forward kinematics.
#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>

#include <gtest/gtest.h>

#include "model/robot_model.hpp"
#include "tests/model/tatbot_conf.hpp"
#include "load/urdf_loader.hpp"
#include "load/scene_loader.hpp"

namespace strokeviz::model {
namespace {

using test::kFixtures;

RobotModel load_ok(const std::string& path) {
  auto m = load::load_urdf(path);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().str());
  if (!m.ok()) throw std::runtime_error("load failed");
  return std::move(m).value();
}

std::vector<double> joint_values(const RobotModel& m, std::initializer_list<std::pair<const char*, double>> v) {
  std::vector<double> q(m.joints().size(), 0.0);
  for (const auto& [name, value] : v) q.at(m.joint_index(name)) = value;
  return q;
}

void expect_near(const Eigen::Vector3d& got, const Eigen::Vector3d& want, double tol) {
  EXPECT_NEAR(got.x(), want.x(), tol);
  EXPECT_NEAR(got.y(), want.y(), tol);
  EXPECT_NEAR(got.z(), want.z(), tol);
}

// --- forward kinematics by hand -------------------------------------------

TEST(RobotFk, PlanarChainMatchesHandWorkedPositions) {
  const RobotModel m = load_ok(kFixtures + "planar.urdf");
  const int l1 = m.link_index("l1"), l2 = m.link_index("l2"), tip = m.link_index("tip");
  const int t1_tip = m.link_index("t1_tip");
  std::vector<Eigen::Isometry3d> world;
  for (const auto& [q1, q2, d, qt] : std::vector<std::array<double, 4>>{
           {0.0, 0.0, 0.0, 0.0}, {0.5, -0.3, 0.1, 1.0}, {-1.2, 2.0, 0.2, -2.5}, {3.0, 3.0, 0.05, 0.7}}) {
    const auto q = joint_values(m, {{"j1", q1}, {"j2", q2}, {"slide", d}, {"tilt", qt}});
    m.forward_kinematics_joints(q, world);
    const double c1 = std::cos(q1), s1 = std::sin(q1), c12 = std::cos(q1 + q2), s12 = std::sin(q1 + q2);
    // j1 sits 0.1 up, l1 is 0.5 long, l2 0.3; the slide runs along l2's y (its origin yaws 90 deg).
    expect_near(world[l1].translation(), {0, 0, 0.1}, 1e-9);
    expect_near(world[l2].translation(), {0.5 * c1, 0.5 * s1, 0.1}, 1e-9);
    expect_near(world[tip].translation(), {0.5 * c1 + 0.3 * c12 - d * s12, 0.5 * s1 + 0.3 * s12 + d * c12, 0.1},
                1e-9);
    // tip frame: yawed by q1 + q2 + 90 deg.
    const Eigen::Vector3d x_axis = world[tip].linear().col(0);
    expect_near(x_axis, {std::cos(q1 + q2 + std::numbers::pi / 2), std::sin(q1 + q2 + std::numbers::pi / 2), 0},
                1e-9);
    // The tilted branch: roll 90 deg turns the joint's z into world -y, so
    // the 0.2 m link sweeps the xz plane.
    expect_near(world[t1_tip].translation(), {0.2 * std::cos(qt), 0.0, 0.2 * std::sin(qt)}, 1e-9);
  }
}

TEST(RobotFk, LinkPoseAgreesWithFullFk) {
  const RobotModel m = load_ok(kFixtures + "planar.urdf");
  std::vector<Eigen::Isometry3d> world;
  m.forward_kinematics(JointVector{}, world);
  for (size_t l = 0; l < m.links().size(); ++l) {
    EXPECT_TRUE(m.link_pose(int(l), JointVector{}).isApprox(world[l], 1e-12)) << m.links()[l].name;
  }
}

// --- URDF contents ----------------------------------------------------------

TEST(RobotLoad, PlanarStructureAndVisuals) {
  const RobotModel m = load_ok(kFixtures + "planar.urdf");
  EXPECT_EQ(m.name(), "planar");
  EXPECT_EQ(m.links().size(), 6u);
  EXPECT_EQ(m.joints().size(), 5u);
  EXPECT_EQ(m.links()[m.root_link()].name, "base");
  EXPECT_FALSE(m.has_arms());

  const Joint& j2 = m.joints()[m.joint_index("j2")];
  EXPECT_EQ(j2.type, JointType::Continuous);
  EXPECT_TRUE(j2.axis.isApprox(Eigen::Vector3d::UnitZ()));  // "0 0 2" normalised
  EXPECT_TRUE(std::isinf(j2.lower) && std::isinf(j2.upper));
  const Joint& slide = m.joints()[m.joint_index("slide")];
  EXPECT_EQ(slide.type, JointType::Prismatic);
  EXPECT_DOUBLE_EQ(slide.upper, 0.2);

  const auto& base = m.links()[m.link_index("base")].visuals;
  ASSERT_EQ(base.size(), 1u);
  EXPECT_EQ(base[0].type, GeomType::Box);
  EXPECT_TRUE(base[0].size.isApprox(Eigen::Vector3d(0.1, 0.2, 0.3)));
  EXPECT_TRUE(base[0].rgba.isApprox(Eigen::Vector4f(0.2f, 0.4f, 0.9f, 1.0f)));  // robot-level material

  const auto& l1 = m.links()[m.link_index("l1")].visuals;
  ASSERT_EQ(l1.size(), 1u);
  EXPECT_EQ(l1[0].type, GeomType::Cylinder);
  EXPECT_TRUE(l1[0].size.isApprox(Eigen::Vector3d(0.02, 0.5, 0.0)));
  EXPECT_TRUE(l1[0].rgba.isApprox(Eigen::Vector4f(0.9f, 0.1f, 0.1f, 1.0f)));  // inline material
  // The cylinder's axis (its z) lies along the link's x.
  EXPECT_TRUE((l1[0].origin.linear() * Eigen::Vector3d::UnitZ()).isApprox(Eigen::Vector3d::UnitX(), 1e-9));
  expect_near(l1[0].origin.translation(), {0.25, 0, 0}, 1e-12);

  const auto& l2 = m.links()[m.link_index("l2")].visuals;
  ASSERT_EQ(l2.size(), 1u);
  EXPECT_EQ(l2[0].type, GeomType::Sphere);
  EXPECT_DOUBLE_EQ(l2[0].size.x(), 0.03);
}

TEST(RobotLoad, MeshesAreScaledAndCachedByPathAndScale) {
  const RobotModel m = load_ok(kFixtures + "meshes_ok.urdf");
  // a and b name the same file and scale (plainly and via package://); c scales it twice.
  ASSERT_EQ(m.meshes().size(), 2u);
  const auto& a = m.links()[m.link_index("a")].visuals.at(0);
  const auto& b = m.links()[m.link_index("b")].visuals.at(0);
  const auto& c = m.links()[m.link_index("c")].visuals.at(0);
  EXPECT_EQ(a.type, GeomType::Mesh);
  EXPECT_EQ(a.mesh, b.mesh);
  EXPECT_NE(a.mesh, c.mesh);
  for (const auto& [mesh, extent] : {std::pair{a.mesh, 0.01f}, std::pair{c.mesh, 0.02f}}) {
    const MeshData& d = m.meshes()[mesh];
    EXPECT_EQ(d.indices.size(), 12u) << d.source;  // 4 triangles
    EXPECT_EQ(d.normals.size(), d.positions.size());
    float hi = 0;
    for (float p : d.positions) hi = std::max(hi, p);
    EXPECT_FLOAT_EQ(hi, extent);
  }
}

// --- errors -----------------------------------------------------------------

TEST(RobotLoadErrors, MissingMeshNamesTheMeshAndItsLine) {
  auto m = load::load_urdf(kFixtures + "missing_mesh.urdf");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().line, 14);
  EXPECT_NE(m.error().message.find("mesh 'meshes/no_such_part.stl' not found"), std::string::npos) << m.error().str();
  EXPECT_NE(m.error().message.find("tests/data/urdf/meshes/no_such_part.stl"), std::string::npos) << m.error().str();
  EXPECT_EQ(m.error().str().rfind(kFixtures + "missing_mesh.urdf:14: mesh", 0), 0u) << m.error().str();
}

TEST(RobotLoadErrors, UnreadableMeshGivesAssimpsReasonAndLine) {
  auto m = load::load_urdf(kFixtures + "broken_mesh.urdf");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().line, 6) << m.error().str();
  EXPECT_NE(m.error().message.find("broken.stl"), std::string::npos) << m.error().str();
  EXPECT_NE(m.error().message.find("unreadable"), std::string::npos) << m.error().str();
}

TEST(RobotLoadErrors, MalformedXmlGivesTheLine) {
  auto m = load::load_urdf(kFixtures + "malformed.urdf");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().line, 9) << m.error().str();
  EXPECT_NE(m.error().message.find("XML error"), std::string::npos) << m.error().str();
}

TEST(RobotLoadErrors, UrdfdomErrorIsMappedToTheElement) {
  auto m = load::load_urdf(kFixtures + "bad_joint.urdf");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().line, 5) << m.error().str();
  EXPECT_FALSE(m.error().message.empty());
}

TEST(RobotLoadErrors, MissingFile) {
  auto m = load::load_urdf(kFixtures + "does_not_exist.urdf");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().str().find("does_not_exist.urdf"), std::string::npos);
}

TEST(RobotArms, WrongJointCountNamesTheLink) {
  RobotModel m = load_ok(kFixtures + "wrong_arm.urdf");
  auto r = m.set_arms({"left/tip", "right/tip"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("'right/tip' has 6 movable joints"), std::string::npos) << r.error().str();
  EXPECT_EQ(r.error().line, 34);
  EXPECT_FALSE(m.has_arms());
  auto missing = m.set_arms({"left/tip", "right/nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("right/nope"), std::string::npos);
}

// --- the tatbot models ------------------------------------------------------

std::array<std::string, kAllArmJoints> expected_arm_joints() {
  std::array<std::string, kAllArmJoints> names;
  for (int arm = 0; arm < 2; ++arm) {
    const std::string side = arm == 0 ? "left" : "right";
    for (int k = 0; k < 6; ++k) names[arm * 7 + k] = side + "/joint_" + std::to_string(k);
    names[arm * 7 + 6] = side + "/" + side + "_carriage_joint";
  }
  return names;
}

TEST(RobotTatbot, OwnUrdfHasBothArmsLeftFirst) {
  RobotModel m = load_ok(test::kOwnUrdf);
  auto r = m.set_arms(test::kNeedles);
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(m.arm_joint_names(), expected_arm_joints());
  EXPECT_TRUE(m.meshes().empty());
  for (const auto& l : m.links()) {
    for (const auto& v : l.visuals) {
      EXPECT_NE(v.type, GeomType::Mesh) << l.name;
      EXPECT_GT(v.rgba.head<3>().maxCoeff(), 0.35f) << l.name << ": too dark to see on a dark background";
    }
  }
  const JointVector q = test::ready_pose();
  auto at = [&](const char* link) -> Eigen::Vector3d { return m.link_pose(m.link_index(link), q).translation(); };
  expect_near(at("lasercross"), test::kLasercross, 1e-12);
  expect_near(at("palette_root"), {0.126, 0, 0.085}, 1e-12);
  expect_near(at("inkcap_left_large"), {0.126, 0.055, 0.085}, 1e-12);
  expect_near(at("inkcap_right_large"), {0.126, -0.055, 0.085}, 1e-12);
  expect_near(at("left/base_link"), {0, 0.2675, 0}, 1e-12);
  expect_near(at("right/base_link"), {0, -0.2675, 0}, 1e-12);
}

TEST(RobotTatbot, RealUrdfLoadsEveryMeshAndMatchesOurs) {
  RobotModel real = load_ok(test::kRealUrdf);
  ASSERT_TRUE(real.set_arms(test::kNeedles).ok());
  EXPECT_EQ(real.arm_joint_names(), expected_arm_joints());

  size_t mesh_visuals = 0, triangles = 0;
  for (const auto& l : real.links()) {
    for (const auto& v : l.visuals) mesh_visuals += v.type == GeomType::Mesh;
  }
  for (const auto& mesh : real.meshes()) {
    EXPECT_GT(mesh.indices.size(), 0u) << mesh.source;
    EXPECT_EQ(mesh.indices.size() % 3, 0u);
    triangles += mesh.indices.size() / 3;
  }
  // 59 <mesh> elements in the file, of which the visuals; shared STLs load once.
  EXPECT_GT(mesh_visuals, real.meshes().size());
  std::printf("real URDF: %zu links, %zu joints, %zu mesh visuals, %zu distinct meshes, %zu triangles\n",
              real.links().size(), real.joints().size(), mesh_visuals, real.meshes().size(), triangles);

  RobotModel own = load_ok(test::kOwnUrdf);
  ASSERT_TRUE(own.set_arms(test::kNeedles).ok());
  const JointVector ready = test::ready_pose();
  for (int arm = 0; arm < 2; ++arm) {
    const Eigen::Vector3d p = real.link_pose(real.ee_link(arm), ready).translation();
    ASSERT_TRUE(p.allFinite());
    EXPECT_GT(p.x(), 0.05) << "needle not in front of the robot";
    const Eigen::Vector3d ours = own.link_pose(own.ee_link(arm), ready).translation();
    EXPECT_LT((p - ours).norm(), 1e-3);
    EXPECT_LT((p - ours).norm(), 1e-6);  // same figures: only rpy rounding differs
    std::printf("%s needle at ready: real (%.4f, %.4f, %.4f), ours differs by %.2e m\n", arm ? "right" : "left",
                p.x(), p.y(), p.z(), (p - ours).norm());
  }
  // And at other poses too: the arms' kinematics are the same.
  JointVector q = ready;
  for (int i = 0; i < kAllArmJoints; ++i) q[i] += 0.1 * std::sin(1.0 + i);
  for (int arm = 0; arm < 2; ++arm) {
    EXPECT_TRUE(real.link_pose(real.ee_link(arm), q).isApprox(own.link_pose(own.ee_link(arm), q), 1e-6));
  }
}

TEST(RobotTatbot, ForwardKinematicsReusesTheCallersStorage) {
  RobotModel m = load_ok(test::kOwnUrdf);
  ASSERT_TRUE(m.set_arms(test::kNeedles).ok());
  std::vector<Eigen::Isometry3d> world;
  m.forward_kinematics(test::ready_pose(), world);
  const auto* data = world.data();
  JointVector q = test::ready_pose();
  q[0] += 0.2;
  m.forward_kinematics(q, world);
  EXPECT_EQ(world.data(), data);
  EXPECT_TRUE(world[m.ee_link(0)].isApprox(m.link_pose(m.ee_link(0), q), 1e-12));
  EXPECT_TRUE(world[m.ee_link(1)].isApprox(m.link_pose(m.ee_link(1), q), 1e-12));
}

}  // namespace
}  // namespace strokeviz::model
