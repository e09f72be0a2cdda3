import { reactive, ref } from "vue";
import { useRoute, useRouter } from "vue-router";
import { login } from "../api.js";
import { loadMe } from "../store.js";

export default {
  name: "LoginPage",
  setup() {
    const form = reactive({ username: "", password: "" });
    const error = ref("");
    const busy = ref(false);
    const route = useRoute();
    const router = useRouter();

    async function submit() {
      error.value = "";
      if (!form.username || !form.password) {
        error.value = "请输入用户名和密码";
        return;
      }
      busy.value = true;
      try {
        await login(form.username.trim(), form.password);
        await loadMe();
        const next = typeof route.query.next === "string" ? route.query.next : "/";
        router.replace(next.startsWith("/") && !next.startsWith("//") ? next : "/");
      } catch (e) {
        error.value = e.message;
      } finally {
        busy.value = false;
      }
    }
    return { form, error, busy, submit };
  },
  template: `
  <main class="login-page">
    <el-card class="login-card" shadow="always">
      <h1>共青团“1+100”数据平台</h1>
      <p class="sub">管理控制台</p>
      <el-form label-position="top" @submit.prevent="submit">
        <el-form-item label="用户名" for="login-username">
          <el-input id="login-username" v-model="form.username" autocomplete="username" autofocus />
        </el-form-item>
        <el-form-item label="密码" for="login-password">
          <el-input id="login-password" v-model="form.password" type="password" show-password
                    autocomplete="current-password" />
        </el-form-item>
        <el-alert v-if="error" :title="error" type="error" :closable="false" show-icon role="alert" />
        <el-button type="primary" native-type="submit" :loading="busy" class="login-submit">登录</el-button>
      </el-form>
    </el-card>
  </main>`,
};
