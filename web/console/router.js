// Client routes. A page the caller may not use is not in the menu; typed by hand, its own
// queries answer FORBIDDEN or NOT_FOUND and the page says so.
import { createRouter, createWebHistory } from "vue-router";
import { loggedIn } from "./api.js";
import Login from "./pages/login.js";
import Home from "./pages/home.js";
import NotFound from "./pages/notfound.js";
import { OrgPage, OrgTree } from "./pages/orgs.js";
import Dashboard from "./pages/dashboard.js";
import Ranking from "./pages/ranking.js";
import * as lists from "./pages/lists.js";
import YouthIo from "./pages/youthio.js";
import * as checking from "./pages/checking.js";
import * as policy from "./pages/policy.js";
import Groups from "./pages/groups.js";
import Rubric from "./pages/rubric.js";
import Nominations from "./pages/nominations.js";
import Rosters from "./pages/rosters.js";
import Deadlines from "./pages/deadlines.js";
import Plans from "./pages/plans.js";

const page = (path, component, title, extra = {}) => ({ path, component, meta: { title }, ...extra });
const withId = { props: true };

export const router = createRouter({
  history: createWebHistory("/"),
  routes: [
    { path: "/login", component: Login, meta: { public: true, title: "登录" } },
    page("/", Home, "概览"),
    page("/orgs", OrgTree, "组织树"),
    page("/orgs/:id", OrgPage, "组织", withId),
    page("/orgs/:id/dashboard", Dashboard, "工作看板", withId),
    page("/orgs/:id/ranking", Ranking, "积分排名", withId),
    page("/cadres", lists.Cadres, "团干部"),
    page("/youth", lists.Youths, "小伙伴"),
    page("/youth/import", YouthIo, "名单导入导出"),
    page("/logs", lists.WorkLogs, "工作日志"),
    page("/voices", lists.Voices, "青年之声"),
    page("/wishes", lists.Wishes, "微心愿"),
    page("/wish-pool", lists.WishPool, "心愿池"),
    page("/flags", lists.Flags, "可疑标记"),
    page("/reports", checking.Reports, "季度报送"),
    page("/bulletins", checking.Bulletins, "季度通报"),
    page("/assessments", checking.Assessments, "考核"),
    page("/rubric", Rubric, "考核细则"),
    page("/spot-checks", checking.SpotChecks, "抽查"),
    page("/nominations", Nominations, "最美青春故事"),
    page("/policy/roles", policy.Matrix, "角色与权限"),
    page("/policy/grants", policy.Grants, "授权"),
    page("/policy/who-can", policy.WhoCan, "谁能 / 能做什么"),
    page("/policy/change", policy.Change, "预览并应用变更"),
    page("/policy/delegations", policy.Delegations, "代管"),
    page("/policy/fields", policy.Fields, "字段规则与例外"),
    page("/policy/io", policy.PolicyIo, "策略导出导入"),
    page("/policy/audit", policy.Audit, "审计日志"),
    page("/groups", Groups, "工作小组"),
    page("/rosters", Rosters, "名册导入"),
    page("/sign-in", Deadlines, "登录情况"),
    page("/plans", Plans, "实施方案"),
    { path: "/:rest(.*)*", component: NotFound, meta: { title: "页面不存在" } },
  ],
});

router.beforeEach((to) => {
  if (!to.meta.public && !loggedIn()) return { path: "/login", query: { next: to.fullPath } };
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title || "控制台"} · 共青团“1+100”数据平台`;
  document.getElementById("main")?.focus({ preventScroll: true }); // screen readers: new page
});
