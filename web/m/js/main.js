// The phone pages: one Vue app, routes under /m/ (the server answers index.html for them).
import { auth } from "./api.js";
import { flush } from "./outbox.js";
import Login from "./pages/login.js";
import * as cadre from "./pages/cadre.js";
import * as work from "./pages/work.js";
import * as youth from "./pages/youth.js";
import * as shared from "./pages/shared.js";

const { createApp, computed } = Vue;
const { createRouter, createWebHistory } = VueRouter;

const C = { who: "cadre" };
const Y = { who: "youth" };

const routes = [
  { path: "/", redirect: () => home() },
  { path: "/login", component: Login },
  // 团干部
  { path: "/c", component: cadre.Home, meta: { ...C, tab: 0, title: "首页" } },
  { path: "/c/log/contact", component: work.LogContact, meta: { ...C, title: "记联系" } },
  { path: "/c/log/activity", component: work.LogActivity, meta: { ...C, title: "记活动" } },
  { path: "/c/logs", component: work.MyLogs, meta: { ...C, title: "我的日志" } },
  { path: "/c/logs/:id", component: work.EditLog, props: true, meta: { ...C, title: "修改日志" } },
  { path: "/c/youth", component: cadre.YouthList, meta: { ...C, tab: 1, title: "我的小伙伴" } },
  { path: "/c/inbox", component: cadre.Inbox, meta: { ...C, tab: 2, title: "消息" } },
  { path: "/c/me", component: cadre.Me, meta: { ...C, tab: 3, title: "我的" } },
  { path: "/c/learn", component: cadre.LearnAndDo, meta: { ...C, title: "一学一做" } },
  { path: "/c/posts", component: cadre.Posts, meta: { ...C, title: "文化产品" } },
  // 小伙伴
  { path: "/y", component: youth.Home, meta: { ...Y, tab: 0, title: "首页" } },
  { path: "/y/consent", component: youth.Consent, meta: { ...Y, title: "隐私政策" } },
  { path: "/y/cadres", component: youth.MyCadres, meta: { ...Y, title: "我的团干部" } },
  { path: "/y/rate/:cadreId", component: youth.Rate, props: true, meta: { ...Y, title: "评价" } },
  { path: "/y/contacts", component: youth.LoggedContacts, meta: { ...Y, title: "联系记录" } },
  { path: "/y/wishes", component: youth.Wishes, meta: { ...Y, tab: 1, title: "微心愿" } },
  { path: "/y/wishes/new", component: youth.NewWish, meta: { ...Y, title: "许个心愿" } },
  { path: "/y/voices", component: youth.Voices, meta: { ...Y, tab: 2, title: "青年之声" } },
  { path: "/y/voices/new", component: youth.NewVoice, meta: { ...Y, title: "我要反映" } },
  { path: "/y/feed", component: youth.Feed, meta: { ...Y, title: "文化产品" } },
  { path: "/y/me", component: youth.Me, meta: { ...Y, tab: 3, title: "我的" } },
  { path: "/y/data", component: youth.MyData, meta: { ...Y, title: "我的数据" } },
  // 两边共用的详情页（同一页面，按身份显示不同操作）
  { path: "/c/voices/:id", component: shared.VoiceDetail, props: true, meta: { ...C, title: "青年之声" } },
  { path: "/y/voices/:id", component: shared.VoiceDetail, props: true, meta: { ...Y, title: "青年之声" } },
  { path: "/c/wishes/:id", component: shared.WishDetail, props: true, meta: { ...C, title: "微心愿" } },
  { path: "/y/wishes/:id", component: shared.WishDetail, props: true, meta: { ...Y, title: "微心愿" } },
  { path: "/c/discussions", component: shared.Discussions, meta: { ...C, title: "活动讨论" } },
  { path: "/y/discussions", component: shared.Discussions, meta: { ...Y, title: "活动讨论" } },
  { path: "/c/discussions/:id", component: shared.DiscussionDetail, props: true, meta: { ...C, title: "活动讨论" } },
  { path: "/y/discussions/:id", component: shared.DiscussionDetail, props: true, meta: { ...Y, title: "活动讨论" } },
  { path: "/:rest(.*)*", component: shared.NotFound, meta: { title: "页面不存在" } },
];

function home() {
  const s = auth.session;
  if (!s || !s.kind) return "/login";
  return s.kind === "cadre" ? "/c" : "/y";
}

const router = createRouter({ history: createWebHistory("/m/"), routes });

// Pages belong to cadres or to youth; anyone else goes to the login (and comes back after).
router.beforeEach((to) => {
  const who = to.meta.who;
  if (!who) return true;
  const s = auth.session;
  if (!s || !s.kind) return { path: "/login", query: { next: to.fullPath } };
  if (s.kind !== who) return home();
  return true;
});
router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 1+100` : "1+100 青年联系";
});

const TABS = {
  cadre: [
    { to: "/c", icon: "home-o", text: "首页" },
    { to: "/c/youth", icon: "friends-o", text: "小伙伴" },
    { to: "/c/inbox", icon: "chat-o", text: "消息" },
    { to: "/c/me", icon: "user-o", text: "我的" },
  ],
  youth: [
    { to: "/y", icon: "home-o", text: "首页" },
    { to: "/y/wishes", icon: "gift-o", text: "心愿" },
    { to: "/y/voices", icon: "comment-o", text: "之声" },
    { to: "/y/me", icon: "user-o", text: "我的" },
  ],
};

const App = {
  setup() {
    const route = VueRouter.useRoute();
    const tabs = computed(() => {
      const s = auth.session;
      return route.meta.tab !== undefined && s ? TABS[s.kind] || [] : [];
    });
    return { route, tabs };
  },
  template: `
    <router-view :key="route.fullPath" />
    <van-tabbar v-if="tabs.length" :model-value="route.meta.tab" route placeholder safe-area-inset-bottom>
      <van-tabbar-item v-for="t in tabs" :key="t.to" :to="t.to" :icon="t.icon" replace>{{ t.text }}</van-tabbar-item>
    </van-tabbar>`,
};

const app = createApp(App);
app.use(router);
app.use(vant);
app.mount("#app");

// Writes kept while offline go as soon as the page starts with a connection.
if (auth.session) flush();
