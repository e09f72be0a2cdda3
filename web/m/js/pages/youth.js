// 小伙伴: consent, my cadres (accept, leave, rate), logged contacts to confirm, voices,
// wishes (followed live on their own page), posts, my data.
import { auth, gql, signOut } from "../api.js";
import {
  CHANNEL,
  CONTACT_STATUS,
  VOICE_KIND,
  VOICE_STATUS,
  WISH_CATEGORY,
  WISH_STATUS,
  attempt,
  options,
  when,
} from "../util.js";
import { Page, PickerField, useLoad } from "./shared.js";

const { ref, reactive, computed } = Vue;
const { showSuccessToast, showConfirmDialog } = vant;

const CONTACTS = `{ myContacts(first: 50) { nodes { id status invitedAt acceptedAt
  cadre { id name position org { name } } } } }`;

async function cadresOf() {
  return (await gql(CONTACTS)).myContacts.nodes.filter((c) => c.cadre);
}

async function accept(contact, reload) {
  await gql(`mutation($id: ID!) { acceptContact(id: $id) { status } }`, { id: contact.id });
  showSuccessToast("已确认联系");
  await reload();
}

function leave(contact, reload) {
  return showConfirmDialog({
    title: contact.status === "INVITED" ? "不接受邀请" : "退出联系",
    message: `${contact.cadre.name} 将不再联系你。你可以随时退出，这不影响你的任何权益。`,
  })
    .then(() =>
      attempt(async () => {
        await gql(`mutation($id: ID!) { leaveContact(id: $id) { status } }`, { id: contact.id });
        await reload();
      }),
    )
    .catch(() => {});
}

const HOME = `{ me { youth { id name } } myConsent { policyVersion }
  myContacts(first: 50) { nodes { id status invitedAt cadre { id name position org { name } } } }
  myLoggedContacts(first: 100) { nodes { id youthConfirmed } } }`;

export const Home = {
  components: { Page },
  setup() {
    const router = VueRouter.useRouter();
    const { state, reload } = useLoad(async () => {
      const data = await gql(HOME);
      if (!data.myConsent) router.replace({ path: "/y/consent", query: { next: "/y" } });
      return data;
    });
    const invited = computed(() => (state.data ? state.data.myContacts.nodes.filter((c) => c.status === "INVITED") : []));
    const active = computed(() => (state.data ? state.data.myContacts.nodes.filter((c) => c.status === "ACTIVE") : []));
    const toConfirm = computed(() =>
      state.data ? state.data.myLoggedContacts.nodes.filter((l) => l.youthConfirmed === null).length : 0,
    );
    const yes = (c) => attempt(() => accept(c, reload));
    const no = (c) => leave(c, reload);
    return { state, invited, active, toConfirm, yes, no };
  },
  template: `
    <Page title="1+100 青年之家" :back="false">
      <div class="hello" v-if="state.data && state.data.me.youth">
        <div class="hello-name">你好，{{ state.data.me.youth.name }}</div>
        <div class="muted">团干部直接联系你，有什么想法、心愿都可以告诉他们</div>
      </div>
      <van-skeleton v-if="state.loading && !state.data" title :row="5" />
      <template v-if="state.data">
        <van-cell-group inset title="联系邀请" v-if="invited.length" class="invites">
          <van-cell v-for="c in invited" :key="c.id" :title="c.cadre.name + ' 邀请你建立联系'" :label="(c.cadre.org ? c.cadre.org.name + ' ' : '') + c.cadre.position" class="invite">
            <template #value>
              <van-button size="small" type="primary" round @click="yes(c)">接受</van-button>
              <van-button size="small" round class="ml" @click="no(c)">不接受</van-button>
            </template>
          </van-cell>
        </van-cell-group>
        <van-cell-group inset title="我的团干部">
          <van-cell v-for="c in active" :key="c.id" :title="c.cadre.name" :label="(c.cadre.org ? c.cadre.org.name + ' ' : '') + c.cadre.position" is-link to="/y/cadres" />
          <van-empty v-if="!active.length" image-size="60" description="还没有联系你的团干部" />
        </van-cell-group>
        <van-cell-group inset class="mt">
          <van-cell title="待我确认的联系记录" is-link to="/y/contacts" :value="toConfirm ? toConfirm + ' 条' : '无'" class="to-confirm" />
        </van-cell-group>
        <van-grid :column-num="4" class="mt" clickable>
          <van-grid-item icon="gift-o" text="许个心愿" to="/y/wishes/new" />
          <van-grid-item icon="comment-o" text="我要反映" to="/y/voices/new" />
          <van-grid-item icon="newspaper-o" text="文化产品" to="/y/feed" />
          <van-grid-item icon="comment-circle-o" text="活动讨论" to="/y/discussions" />
        </van-grid>
      </template>
    </Page>`,
};

export const Consent = {
  components: { Page },
  setup() {
    const router = VueRouter.useRouter();
    const route = VueRouter.useRoute();
    const form = reactive({ birthDate: "", guardianName: "", guardianMobile: "", agreed: false });
    const { state } = useLoad(async () => gql(`{ privacyPolicyVersion myConsent { policyVersion acceptedAt byGuardian } }`));
    const minor = computed(() => {
      if (!form.birthDate) return false;
      const b = new Date(form.birthDate);
      const now = new Date();
      const age = now.getFullYear() - b.getFullYear() - (now < new Date(now.getFullYear(), b.getMonth(), b.getDate()) ? 1 : 0);
      return age < 14;
    });
    const agree = () =>
      attempt(async () => {
        if (!form.agreed) throw new Error("请先勾选同意");
        await gql(
          `mutation($v: String!, $b: Date, $gn: String, $gm: String) {
            acceptPrivacyPolicy(policyVersion: $v, birthDate: $b, guardianName: $gn, guardianMobile: $gm) { acceptedAt } }`,
          {
            v: state.data.privacyPolicyVersion,
            b: form.birthDate || null,
            gn: minor.value ? form.guardianName : null,
            gm: minor.value ? form.guardianMobile : null,
          },
        );
        showSuccessToast("已同意");
        router.replace(typeof route.query.next === "string" ? route.query.next : "/y");
      });
    return { state, form, minor, agree, when };
  },
  template: `
    <Page title="隐私政策">
      <template v-if="state.data">
        <div class="card policy">
          <div class="card-title">个人信息保护说明（{{ state.data.privacyPolicyVersion }}）</div>
          <p class="policy-text">我们只为“1+100”联系工作收集你的姓名、手机号、行业和你主动提交的内容（青年之声、微心愿、评价、讨论）。你的完整手机号只有你本人、联系你的团干部和经授权的管理员可见，每次查看都有记录。你可以随时退出与团干部的联系，随时下载你的数据或申请删除。未满 14 周岁的，须由监护人同意。</p>
        </div>
        <van-cell-group inset v-if="state.data.myConsent" class="mt">
          <van-cell title="你已同意" :value="when(state.data.myConsent.acceptedAt)" :label="state.data.myConsent.byGuardian ? '由监护人同意' : ''" />
        </van-cell-group>
        <template v-else>
          <van-cell-group inset class="mt">
            <van-field label="出生日期"><template #input><input type="date" v-model="form.birthDate" class="native-input" aria-label="出生日期" /></template></van-field>
            <template v-if="minor">
              <van-field v-model="form.guardianName" label="监护人" placeholder="监护人姓名" />
              <van-field v-model="form.guardianMobile" label="监护人手机" type="tel" placeholder="11 位手机号" />
            </template>
          </van-cell-group>
          <p class="hint pad" v-if="minor">你未满 14 周岁，须由监护人阅读并同意。</p>
          <div class="pad">
            <van-checkbox v-model="form.agreed" shape="square">{{ minor ? '我是监护人，已阅读并同意' : '我已阅读并同意' }}</van-checkbox>
            <van-button block round type="primary" class="mt" @click="agree">同意并继续</van-button>
          </div>
        </template>
      </template>
    </Page>`,
};

export const MyCadres = {
  components: { Page },
  setup() {
    const { state, reload } = useLoad(cadresOf);
    const yes = (c) => attempt(() => accept(c, reload));
    const no = (c) => leave(c, reload);
    return { state, yes, no, when, CONTACT_STATUS };
  },
  template: `
    <Page title="我的团干部">
      <div v-for="c in state.data || []" :key="c.id" class="card cadre-card">
        <div class="card-head">
          <span class="card-title">{{ c.cadre.name }}</span>
          <van-tag :type="c.status === 'ACTIVE' ? 'success' : 'warning'">{{ CONTACT_STATUS[c.status] }}</van-tag>
        </div>
        <div class="muted">{{ c.cadre.org && c.cadre.org.name }} {{ c.cadre.position }}</div>
        <div class="actions left">
          <template v-if="c.status === 'ACTIVE'">
            <van-button size="small" round type="primary" :to="'/y/wishes/new?cadre=' + encodeURIComponent(c.cadre.id)">许心愿</van-button>
            <van-button size="small" round type="primary" plain :to="'/y/voices/new?cadre=' + encodeURIComponent(c.cadre.id)">反映</van-button>
            <van-button size="small" round plain :to="'/y/rate/' + encodeURIComponent(c.cadre.id)">评价</van-button>
            <van-button size="small" round plain @click="no(c)">退出联系</van-button>
          </template>
          <template v-else>
            <van-button size="small" round type="primary" @click="yes(c)">接受</van-button>
            <van-button size="small" round @click="no(c)">不接受</van-button>
          </template>
        </div>
      </div>
      <van-empty v-if="state.data && !state.data.length" description="还没有联系你的团干部" />
    </Page>`,
};

export const Rate = {
  components: { Page },
  props: { cadreId: String },
  setup(props) {
    const router = VueRouter.useRouter();
    const form = reactive({ score: 5, comment: "" });
    const { state } = useLoad(async () => (await cadresOf()).find((c) => c.cadre.id === props.cadreId));
    const send = () =>
      attempt(async () => {
        await gql(`mutation($c: ID!, $s: Int!, $m: String!) { rateCadre(cadreId: $c, score: $s, comment: $m) { count } }`, {
          c: props.cadreId,
          s: form.score,
          m: form.comment,
        });
        showSuccessToast("感谢你的评价");
        router.replace("/y/cadres");
      });
    return { state, form, send };
  },
  template: `
    <Page title="评价团干部">
      <div class="card" v-if="state.data">
        <div class="card-title">{{ state.data.cadre.name }}</div>
        <p class="muted">每季度可以评价一次。评分不会显示你的姓名，团干部只能看到汇总。</p>
        <div class="rate"><van-rate v-model="form.score" :count="5" size="30" aria-label="评分" /></div>
        <van-field v-model="form.comment" type="textarea" rows="3" autosize placeholder="想对团干部说的话（可不填）" maxlength="500" show-word-limit />
        <van-button block round type="primary" class="mt" @click="send">提交评价</van-button>
      </div>
    </Page>`,
};

const LOGGED = `{ myLoggedContacts(first: 100) { nodes { id channel content occurredAt youthConfirmed cadre { name } } } }`;

export const LoggedContacts = {
  components: { Page },
  setup() {
    const { state, reload } = useLoad(async () => (await gql(LOGGED)).myLoggedContacts.nodes.slice().reverse());
    const answer = (log, confirmed) =>
      attempt(async () => {
        await gql(`mutation($id: ID!, $c: Boolean!) { confirmContact(logId: $id, confirmed: $c) }`, { id: log.id, c: confirmed });
        showSuccessToast(confirmed ? "已确认" : "已反馈");
        await reload();
      });
    return { state, answer, when, CHANNEL };
  },
  template: `
    <Page title="联系记录">
      <p class="hint pad">团干部记录了和你的联系。请如实确认：没有发生过的，请点“没有这回事”。</p>
      <div v-for="l in state.data || []" :key="l.id" class="card logged">
        <div class="card-head"><span class="card-title">{{ l.cadre ? l.cadre.name : '团干部' }} · {{ CHANNEL[l.channel] }}</span>
          <span class="muted">{{ when(l.occurredAt) }}</span></div>
        <p class="body">{{ l.content }}</p>
        <div class="actions left" v-if="l.youthConfirmed === null">
          <van-button size="small" round type="primary" @click="answer(l, true)">确有此事</van-button>
          <van-button size="small" round @click="answer(l, false)">没有这回事</van-button>
        </div>
        <van-tag v-else :type="l.youthConfirmed ? 'success' : 'danger'" class="answer">{{ l.youthConfirmed ? '已确认' : '已否认' }}</van-tag>
      </div>
      <van-empty v-if="state.data && !state.data.length" description="还没有联系记录" />
    </Page>`,
};

const WISHES = `{ myWishes(first: 50) { nodes { id category title status submittedAt cadre { name } } } }`;

export const Wishes = {
  components: { Page },
  setup() {
    const { state } = useLoad(async () => (await gql(WISHES)).myWishes.nodes.slice().reverse());
    return { state, when, WISH_STATUS, WISH_CATEGORY };
  },
  template: `
    <Page title="我的微心愿" :back="false">
      <template #right><router-link class="link" to="/y/wishes/new">许心愿</router-link></template>
      <van-cell-group inset class="mt">
        <van-cell v-for="w in state.data || []" :key="w.id" :title="w.title" is-link :to="'/y/wishes/' + encodeURIComponent(w.id)"
          :label="WISH_CATEGORY[w.category] + ' · ' + when(w.submittedAt) + (w.cadre ? ' · ' + w.cadre.name : '')">
          <template #value><van-tag :type="w.status === 'CONFIRMED' ? 'success' : 'primary'">{{ WISH_STATUS[w.status] }}</van-tag></template>
        </van-cell>
      </van-cell-group>
      <van-empty v-if="state.data && !state.data.length" description="还没有心愿">
        <van-button round type="primary" to="/y/wishes/new">许个心愿</van-button>
      </van-empty>
    </Page>`,
};

export const NewWish = {
  components: { Page, PickerField },
  setup() {
    const router = VueRouter.useRouter();
    const route = VueRouter.useRoute();
    const form = reactive({ cadreId: route.query.cadre || null, category: "STUDY", title: "", description: "" });
    const { state } = useLoad(async () => {
      const list = (await cadresOf()).filter((c) => c.status === "ACTIVE");
      if (!form.cadreId && list.length) form.cadreId = list[0].cadre.id;
      return list.map((c) => ({ text: c.cadre.name, value: c.cadre.id }));
    });
    const send = () =>
      attempt(async () => {
        if (!form.cadreId) throw new Error("请先接受一位团干部的联系");
        const { submitWish } = await gql(
          `mutation($c: ID!, $k: WishCategory!, $t: String!, $d: String!) {
            submitWish(cadreId: $c, category: $k, title: $t, description: $d) { id } }`,
          { c: form.cadreId, k: form.category, t: form.title, d: form.description },
        );
        showSuccessToast("心愿已提交");
        router.replace("/y/wishes/" + encodeURIComponent(submitWish.id));
      });
    return { state, form, send, categories: options(WISH_CATEGORY) };
  },
  template: `
    <Page title="许个心愿">
      <van-form @submit="send" class="mt">
        <van-cell-group inset>
          <PickerField label="交给" v-model="form.cadreId" :options="state.data || []" placeholder="选择团干部" />
          <PickerField label="类别" v-model="form.category" :options="categories" />
          <van-field v-model="form.title" label="心愿" placeholder="一句话说说你的心愿" maxlength="100" :rules="[{ required: true, message: '请填写心愿' }]" />
          <van-field v-model="form.description" label="详细" type="textarea" rows="4" autosize maxlength="2000" show-word-limit
            placeholder="需要什么帮助" :rules="[{ required: true, message: '请说明心愿' }]" />
        </van-cell-group>
        <div class="pad"><van-button block round type="primary" native-type="submit">提交心愿</van-button></div>
      </van-form>
    </Page>`,
};

const VOICES = `{ myVoices(first: 50) { nodes { id kind title status createdAt cadre { name } org { name } } } }`;

export const Voices = {
  components: { Page },
  setup() {
    const { state } = useLoad(async () => (await gql(VOICES)).myVoices.nodes.slice().reverse());
    return { state, when, VOICE_STATUS, VOICE_KIND };
  },
  template: `
    <Page title="青年之声" :back="false">
      <template #right><router-link class="link" to="/y/voices/new">反映</router-link></template>
      <van-cell-group inset class="mt">
        <van-cell v-for="v in state.data || []" :key="v.id" :title="v.title" is-link :to="'/y/voices/' + encodeURIComponent(v.id)"
          :label="VOICE_KIND[v.kind] + ' · ' + when(v.createdAt) + ' · 发给 ' + (v.cadre ? v.cadre.name : (v.org ? v.org.name : ''))">
          <template #value><van-tag :type="v.status === 'ANSWERED' ? 'success' : 'default'">{{ VOICE_STATUS[v.status] }}</van-tag></template>
        </van-cell>
      </van-cell-group>
      <van-empty v-if="state.data && !state.data.length" description="还没有反映过">
        <van-button round type="primary" to="/y/voices/new">我要反映</van-button>
      </van-empty>
    </Page>`,
};

export const NewVoice = {
  components: { Page, PickerField },
  setup() {
    const router = VueRouter.useRouter();
    const route = VueRouter.useRoute();
    const form = reactive({ to: route.query.cadre ? "c:" + route.query.cadre : null, kind: "SUGGESTION", title: "", body: "", topic: "" });
    const { state } = useLoad(async () => {
      const [list, me] = await Promise.all([cadresOf(), gql(`{ me { youth { org { id name } } } }`)]);
      const targets = list.filter((c) => c.status === "ACTIVE").map((c) => ({ text: "团干部 " + c.cadre.name, value: "c:" + c.cadre.id }));
      const org = me.me.youth && me.me.youth.org;
      if (org) targets.push({ text: org.name, value: "o:" + org.id });
      if (!form.to && targets.length) form.to = targets[0].value;
      return targets;
    });
    const send = () =>
      attempt(async () => {
        if (!form.to) throw new Error("请选择发给谁");
        const [kind, id] = [form.to.slice(0, 1), form.to.slice(2)];
        const { sendVoice } = await gql(
          `mutation($k: VoiceKind!, $t: String!, $b: String!, $p: String!, $c: ID, $o: ID) {
            sendVoice(kind: $k, title: $t, body: $b, topic: $p, cadreId: $c, orgId: $o) { id } }`,
          { k: form.kind, t: form.title, b: form.body, p: form.topic, c: kind === "c" ? id : null, o: kind === "o" ? id : null },
        );
        showSuccessToast("已发出");
        router.replace("/y/voices/" + encodeURIComponent(sendVoice.id));
      });
    return { state, form, send, kinds: options(VOICE_KIND) };
  },
  template: `
    <Page title="我要反映">
      <van-form @submit="send" class="mt">
        <van-cell-group inset>
          <PickerField label="发给" v-model="form.to" :options="state.data || []" />
          <PickerField label="类别" v-model="form.kind" :options="kinds" />
          <van-field v-model="form.title" label="标题" maxlength="100" :rules="[{ required: true, message: '请填写标题' }]" />
          <van-field v-model="form.body" label="内容" type="textarea" rows="4" autosize maxlength="2000" show-word-limit
            :rules="[{ required: true, message: '请填写内容' }]" />
          <van-field v-model="form.topic" label="话题" placeholder="例如：就业（可不填）" maxlength="50" />
        </van-cell-group>
        <div class="pad"><van-button block round type="primary" native-type="submit">发出</van-button></div>
      </van-form>
    </Page>`,
};

const FEED = `{ myFeed(first: 50) { nodes { id title body link createdAt cadre { name } } } }`;

export const Feed = {
  components: { Page },
  setup() {
    const { state } = useLoad(async () => (await gql(FEED)).myFeed.nodes.slice().reverse());
    const open = ref([]);
    const read = (ids) => {
      const fresh = ids.filter((id) => !open.value.includes(id));
      open.value = ids;
      for (const id of fresh) gql(`mutation($id: ID!) { markPostRead(id: $id) { id } }`, { id }).catch(() => {});
    };
    return { state, open, read, when };
  },
  template: `
    <Page title="文化产品">
      <van-collapse :model-value="open" @update:model-value="read" class="mt">
        <van-collapse-item v-for="p in state.data || []" :key="p.id" :name="p.id" :title="p.title"
          :label="(p.cadre ? p.cadre.name + ' · ' : '') + when(p.createdAt)">
          <p class="body">{{ p.body }}</p>
          <a v-if="p.link" :href="p.link" target="_blank" rel="noopener">打开链接</a>
        </van-collapse-item>
      </van-collapse>
      <van-empty v-if="state.data && !state.data.length" description="团干部还没有推送内容" />
    </Page>`,
};

export const Me = {
  components: { Page },
  setup() {
    const router = VueRouter.useRouter();
    const { state } = useLoad(async () => (await gql(`{ me { youth { name mobile industry org { name } } } }`)).me.youth);
    const out = () =>
      showConfirmDialog({ title: "退出登录", message: "退出后需要重新获取验证码登录。" })
        .then(async () => {
          await signOut();
          router.replace({ path: "/login", query: { as: "youth" } });
        })
        .catch(() => {});
    return { state, out, auth };
  },
  template: `
    <Page title="我的" :back="false">
      <div class="hello" v-if="state.data"><div class="hello-name">{{ state.data.name }}</div>
        <div class="muted">{{ state.data.mobile }} {{ state.data.org ? '· ' + state.data.org.name : '' }}</div></div>
      <van-cell-group inset>
        <van-cell title="我的团干部" icon="friends-o" is-link to="/y/cadres" />
        <van-cell title="联系记录" icon="records-o" is-link to="/y/contacts" />
        <van-cell title="文化产品" icon="newspaper-o" is-link to="/y/feed" />
        <van-cell title="活动讨论" icon="comment-circle-o" is-link to="/y/discussions" />
        <van-cell title="我的数据" icon="shield-o" is-link to="/y/data" />
        <van-cell title="隐私政策" icon="description" is-link to="/y/consent" />
      </van-cell-group>
      <div class="pad"><van-button block round @click="out">退出登录</van-button></div>
    </Page>`,
};

export const MyData = {
  components: { Page },
  setup() {
    const { state } = useLoad(async () => (await gql(`{ myDataHolders { cadres { name orgName status } roles { role orgName } recentReads { by at } } }`)).myDataHolders);
    const reason = ref("");
    const download = () =>
      attempt(async () => {
        const { exportMyData } = await gql(`{ exportMyData }`);
        const blob = new Blob([JSON.stringify(exportMyData, null, 2)], { type: "application/json" });
        const a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = "我的数据.json";
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      });
    const erase = () =>
      showConfirmDialog({ title: "申请删除个人信息", message: "管理员处理后，你的个人信息将被匿名化，登录与联系随之结束。" })
        .then(() =>
          attempt(async () => {
            await gql(`mutation($r: String!) { requestDataDeletion(reason: $r) { status } }`, { r: reason.value });
            showSuccessToast("已提交申请");
          }),
        )
        .catch(() => {});
    return { state, reason, download, erase, when, CONTACT_STATUS };
  },
  template: `
    <Page title="我的数据">
      <template v-if="state.data">
        <van-cell-group inset title="谁持有我的信息">
          <van-cell v-for="(c, i) in state.data.cadres" :key="'c' + i" :title="c.name" :label="c.orgName" :value="CONTACT_STATUS[c.status]" />
          <van-cell v-for="(r, i) in state.data.roles" :key="'r' + i" title="可查看完整手机号的管理员" :label="r.orgName" />
        </van-cell-group>
        <van-cell-group inset title="最近查看我的手机号的人">
          <van-cell v-for="(r, i) in state.data.recentReads" :key="i" :title="r.by" :value="when(r.at)" />
          <van-empty v-if="!state.data.recentReads.length" image-size="50" description="暂无记录" />
        </van-cell-group>
      </template>
      <div class="pad"><van-button block round type="primary" plain @click="download">下载我的全部数据</van-button></div>
      <van-cell-group inset title="删除申请">
        <van-field v-model="reason" type="textarea" rows="2" autosize placeholder="原因（可不填）" maxlength="500" />
      </van-cell-group>
      <div class="pad"><van-button block round type="danger" plain @click="erase">申请删除我的个人信息</van-button></div>
    </Page>`,
};
