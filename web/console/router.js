// Client routes. A page the caller may not use is not in the menu; typed by hand, its own
// queries answer FORBIDDEN or NOT_FOUND and the page says so.
import { createRouter, createWebHistory } from "vue-router";
import { loggedIn } from "./api.js";
import Login from "./pages/login.js";
import Home from "./pages/home.js";
import NotFound from "./pages/notfound.js";

export const router = createRouter({
  history: createWebHistory("/"),
  routes: [
    { path: "/login", component: Login, meta: { public: true, title: "登录" } },
    { path: "/", component: Home, meta: { title: "概览" } },
    { path: "/:rest(.*)*", component: NotFound, meta: { title: "页面不存在" } },
  ],
});

router.beforeEach((to) => {
  if (!to.meta.public && !loggedIn()) return { path: "/login", query: { next: to.fullPath } };
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title || "控制台"} · 共青团“1+100”数据平台`;
});
