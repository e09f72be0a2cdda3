// The frame around every page: header with the caller and logout, the menu, the page.
import { computed, watch } from "vue";
import { useRoute, useRouter } from "vue-router";
import { ElMessage } from "element-plus";
import { loggedIn, logout, onSessionEnded, session } from "./api.js";
import { forgetMe, loadMe, me } from "./store.js";
import { can } from "./util.js";

export default {
  name: "Shell",
  setup() {
    const route = useRoute();
    const router = useRouter();
    const bare = computed(() => Boolean(route.meta.public));

    onSessionEnded((reason) => {
      forgetMe();
      ElMessage.warning(reason || "登录已结束，请重新登录");
      router.push({ path: "/login", query: { next: route.fullPath } });
    });

    watch(
      () => session.refresh,
      async (refresh) => {
        if (refresh && !me.loaded) {
          try {
            await loadMe();
          } catch (e) {
            ElMessage.error(e.message);
          }
        }
      },
      { immediate: true },
    );

    async function signOut() {
      await logout().catch(() => {});
      forgetMe();
      router.push("/login");
    }

    // The menu shows what the caller's grants allow (me.grants[].permissions).
    const menu = computed(() => {
      const first = me.grants.find((g) => g.org)?.org.id;
      const groups = [
        { title: "组织与看板", items: [
          { to: "/orgs", text: "组织树", show: can("org:view") },
          { to: first ? `/orgs/${first}/dashboard` : "/orgs", text: "工作看板", show: can("work:view") },
          { to: first ? `/orgs/${first}/ranking` : "/orgs", text: "积分排名", show: can("work:view") },
          { to: "/groups", text: "工作小组", show: can("group:view") },
        ] },
        { title: "名单与工作", items: [
          { to: "/cadres", text: "团干部", show: can("cadre:view") },
          { to: "/youth", text: "小伙伴", show: can("youth:view") },
          { to: "/youth/import", text: "名单导入导出", show: can("youth:manage") || Boolean(me.cadre) },
          { to: "/rosters", text: "名册导入", show: can("org:manage") || can("cadre:manage") },
          { to: "/sign-in", text: "登录情况", show: can("cadre:view") || can("youth:view") },
          { to: "/logs", text: "工作日志", show: can("work:view") || Boolean(me.cadre) },
          { to: "/voices", text: "青年之声", show: can("voice:view") },
          { to: "/wishes", text: "微心愿", show: can("wish:view") },
          { to: "/wish-pool", text: "心愿池", show: can("wish:manage") },
        ] },
        { title: "检查与考核", items: [
          { to: "/flags", text: "可疑标记", show: can("work:view") },
          { to: "/spot-checks", text: "抽查", show: can("work:view") },
          { to: "/reports", text: "季度报送", show: can("report:view") },
          { to: "/plans", text: "实施方案", show: can("report:view") },
          { to: "/bulletins", text: "季度通报", show: can("work:view") },
          { to: "/assessments", text: "考核", show: can("work:view") },
          { to: "/rubric", text: "考核细则", show: can("quota:view") },
          { to: "/nominations", text: "最美青春故事", show: can("campaign:view") },
        ] },
        { title: "权限管理", items: [
          { to: "/policy/roles", text: "角色与权限", show: can("policy:view") },
          { to: "/policy/grants", text: "授权", show: can("grant:view") },
          { to: "/policy/who-can", text: "谁能 / 能做什么", show: can("grant:view") },
          { to: "/policy/change", text: "预览并应用变更", show: can("grant:manage") || can("policy:manage") },
          { to: "/policy/delegations", text: "代管", show: can("grant:view") || me.grants.some((g) => !g.delegated && !["cadre", "youth"].includes(g.role)) },
          { to: "/policy/fields", text: "字段规则与例外", show: can("policy:view") },
          { to: "/policy/io", text: "策略导出导入", show: can("policy:view") },
          { to: "/policy/audit", text: "审计日志", show: can("audit:view") },
        ] },
      ];
      return groups.map((g) => ({ ...g, items: g.items.filter((i) => i.show) })).filter((g) => g.items.length);
    });

    return { bare, me, route, signOut, loggedIn, menu };
  },
  template: `
  <router-view v-if="bare" />
  <el-container v-else class="shell">
    <el-header class="shell-header" height="56px">
      <a class="skip-link" href="#main">跳到正文</a>
      <span class="brand">共青团“1+100”数据平台 · 管理控制台</span>
      <span class="spacer"></span>
      <span v-if="me.user" class="who" data-testid="who">{{ me.user.displayName }}</span>
      <el-button text type="primary" @click="signOut">退出登录</el-button>
    </el-header>
    <el-container>
      <el-aside width="190px" class="shell-aside">
        <el-menu :default-active="route.path" router aria-label="主菜单">
          <el-menu-item index="/">概览</el-menu-item>
          <el-menu-item-group v-for="g in menu" :key="g.title" :title="g.title">
            <el-menu-item v-for="i in g.items" :key="i.text" :index="i.to">{{ i.text }}</el-menu-item>
          </el-menu-item-group>
        </el-menu>
      </el-aside>
      <el-main id="main" tabindex="-1">
        <router-view v-if="me.loaded" :key="route.fullPath" />
        <div v-else v-loading="true" class="page-loading" aria-busy="true"></div>
      </el-main>
    </el-container>
  </el-container>`,
};
