// The console: Vue 3 + Element Plus + vue-router (history mode), no build step.
import { createApp } from "vue";
import ElementPlus from "element-plus";
import zhCn from "element-plus/zh-cn";
import { router } from "./router.js";
import Shell from "./shell.js";

const app = createApp(Shell);
app.use(ElementPlus, { locale: zhCn });
app.use(router);
app.mount("#app");
