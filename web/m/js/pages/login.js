// 登录: cadres with username and password, youth with mobile and a one-time code. Both say
// `client: MOBILE` (api.js), which is how mobile use is counted.
import { auth, loginWithCode, loginWithPassword, requestCode } from "../api.js";
import { attempt } from "../util.js";

const { reactive, ref, onUnmounted } = Vue;
const { showSuccessToast } = vant;

export default {
  setup() {
    const router = VueRouter.useRouter();
    const route = VueRouter.useRoute();
    const tab = ref(route.query.as === "youth" ? 1 : 0);
    const cadre = reactive({ username: "", password: "" });
    const youth = reactive({ mobile: "", code: "" });
    const busy = ref(false);
    const wait = ref(0);
    let timer = null;

    const next = () => {
      const target = route.query.next;
      const home = auth.session.kind === "cadre" ? "/c" : "/y";
      const ok = typeof target === "string" && target.startsWith(home);
      router.replace(ok ? target : home);
    };
    const run = async (work) => {
      busy.value = true;
      try {
        await attempt(work);
      } finally {
        busy.value = false;
      }
    };
    const signInCadre = () =>
      run(async () => {
        await loginWithPassword(cadre.username.trim(), cadre.password);
        next();
      });
    const countdown = (seconds) => {
      wait.value = Math.max(seconds, 1);
      clearInterval(timer);
      timer = setInterval(() => {
        wait.value -= 1;
        if (wait.value <= 0) clearInterval(timer);
      }, 1000);
    };
    const sendCode = () =>
      attempt(async () => {
        if (!/^1\d{10}$/.test(youth.mobile.replace(/\s/g, ""))) throw new Error("请输入 11 位手机号");
        const retry = await requestCode(youth.mobile);
        showSuccessToast("验证码已发送");
        countdown(retry || 60);
      });
    const signInYouth = () =>
      run(async () => {
        await loginWithCode(youth.mobile, youth.code.trim());
        next();
      });
    onUnmounted(() => clearInterval(timer));
    return { tab, cadre, youth, busy, wait, signInCadre, sendCode, signInYouth };
  },
  template: `
    <div class="login">
      <div class="brand">
        <div class="brand-mark">1+100</div>
        <div class="brand-sub">团干部直接联系青年</div>
      </div>
      <van-tabs v-model:active="tab" animated>
        <van-tab title="团干部">
          <van-form @submit="signInCadre" class="mt">
            <van-cell-group inset>
              <van-field v-model="cadre.username" name="username" label="账号" placeholder="用户名" autocomplete="username"
                :rules="[{ required: true, message: '请输入账号' }]" />
              <van-field v-model="cadre.password" name="password" type="password" label="密码" placeholder="密码" autocomplete="current-password"
                :rules="[{ required: true, message: '请输入密码' }]" />
            </van-cell-group>
            <div class="pad"><van-button round block type="primary" native-type="submit" :loading="busy">登录</van-button></div>
          </van-form>
        </van-tab>
        <van-tab title="小伙伴">
          <van-form @submit="signInYouth" class="mt">
            <van-cell-group inset>
              <van-field v-model="youth.mobile" name="mobile" type="tel" label="手机号" placeholder="11 位手机号" maxlength="13" autocomplete="tel"
                :rules="[{ required: true, message: '请输入手机号' }]" />
              <van-field v-model="youth.code" name="code" type="digit" label="验证码" placeholder="6 位数字" maxlength="6" autocomplete="one-time-code"
                :rules="[{ required: true, message: '请输入验证码' }]">
                <template #button>
                  <van-button size="small" type="primary" plain :disabled="wait > 0" @click="sendCode" native-type="button">
                    {{ wait > 0 ? wait + ' 秒后重发' : '获取验证码' }}</van-button>
                </template>
              </van-field>
            </van-cell-group>
            <div class="pad"><van-button round block type="primary" native-type="submit" :loading="busy">登录</van-button></div>
            <p class="hint">请使用团干部登记的手机号。登录后请阅读并同意隐私政策；未满 14 周岁须由监护人同意。</p>
          </van-form>
        </van-tab>
      </van-tabs>
    </div>`,
};
