// The frame around every page: header with the caller and logout, the menu, the page.
import { computed, watch } from "vue";
import { useRoute, useRouter } from "vue-router";
import { ElMessage } from "element-plus";
import { loggedIn, logout, onSessionEnded, session } from "./api.js";
import { forgetMe, loadMe, me } from "./store.js";

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

    return { bare, me, route, signOut, loggedIn };
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
      <el-aside width="200px" class="shell-aside">
        <el-menu :default-active="route.path" router aria-label="主菜单">
          <el-menu-item index="/">概览</el-menu-item>
        </el-menu>
      </el-aside>
      <el-main id="main" tabindex="-1">
        <router-view :key="route.fullPath" />
      </el-main>
    </el-container>
  </el-container>`,
};
