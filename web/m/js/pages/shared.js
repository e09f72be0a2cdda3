// Pieces both sides use: the page frame, pickers, and the voice, wish and discussion pages
// (one page each; the buttons follow who is looking and what the API allows now).
import { CACHE, NetworkError, auth, gql } from "../api.js";
import { subscribe } from "../live.js";
import { attempt, fail, when, VOICE_KIND, VOICE_STATUS, WISH_ACTION, WISH_CATEGORY, WISH_STATUS } from "../util.js";

const { ref, reactive, computed, onMounted, onUnmounted } = Vue;
const { showSuccessToast } = vant;

// Every page: a title bar (with a way back when it is not a tab page) and its content.
export const Page = {
  props: { title: String, back: { type: Boolean, default: true } },
  setup() {
    const router = VueRouter.useRouter();
    const goBack = () => {
      if (window.history.state && window.history.state.back) router.back();
      else router.replace("/");
    };
    return { goBack };
  },
  template: `
    <div class="page">
      <van-nav-bar :title="title" :left-arrow="back" :left-text="back ? '返回' : ''" @click-left="back && goBack()" fixed placeholder safe-area-inset-top>
        <template #right><slot name="right" /></template>
      </van-nav-bar>
      <slot />
    </div>`,
};

// A field that opens a picker: `options` are [{ text, value }].
export const PickerField = {
  props: { label: String, modelValue: [String, Number], options: Array, placeholder: String },
  emits: ["update:modelValue"],
  setup(props, { emit }) {
    const open = ref(false);
    const shown = computed(() => {
      const o = (props.options || []).find((x) => x.value === props.modelValue);
      return o ? o.text : "";
    });
    const confirm = ({ selectedValues }) => {
      emit("update:modelValue", selectedValues[0]);
      open.value = false;
    };
    return { open, shown, confirm };
  },
  template: `
    <van-field :label="label" :model-value="shown" readonly is-link :placeholder="placeholder || '请选择'" @click="open = true" />
    <van-popup v-model:show="open" position="bottom" round teleport="body">
      <van-picker :title="label" :columns="options" :model-value="modelValue === undefined || modelValue === null ? [] : [modelValue]"
        @confirm="confirm" @cancel="open = false" />
    </van-popup>`,
};

// Ask for a line of text (a reply, a reason); resolves with the text, or null if cancelled.
export const TextPrompt = {
  props: { show: Boolean, title: String, placeholder: String, required: Boolean },
  emits: ["update:show", "done"],
  setup(props, { emit }) {
    const text = ref("");
    const ok = () => {
      if (props.required && !text.value.trim()) return fail(new Error("请填写" + props.title));
      emit("done", text.value.trim());
      emit("update:show", false);
      text.value = "";
    };
    return { text, ok };
  },
  template: `
    <van-dialog :show="show" :title="title" show-cancel-button teleport="body"
      @confirm="ok" @cancel="$emit('update:show', false)">
      <van-field v-model="text" type="textarea" rows="3" autosize :placeholder="placeholder" maxlength="500" show-word-limit />
    </van-dialog>`,
};

export const NotFound = {
  components: { Page },
  props: { message: { type: String, default: "页面不存在" } },
  template: `
    <Page title="找不到">
      <van-empty image="search" :description="message">
        <van-button round type="primary" to="/">回首页</van-button>
      </van-empty>
    </Page>`,
};

// A page's data: loads on mount; `missing` when the API says NOT_FOUND (outside what the
// caller may see looks the same as absent). With `cache`, the last answer is kept on the
// phone and shown while offline (`stale`): a cadre can still pick a youth and log.
export function useLoad(load, cache = null) {
  const key = cache && auth.session ? `${CACHE}${auth.session.userId}.${cache}` : null;
  const state = reactive({ data: readCache(key), loading: true, missing: false, error: null, stale: false });
  const reload = async () => {
    state.loading = true;
    try {
      state.data = await load();
      state.error = null;
      state.stale = false;
      if (key) localStorage.setItem(key, JSON.stringify(state.data));
    } catch (e) {
      if (e.code === "NOT_FOUND") state.missing = true;
      else if (e instanceof NetworkError && state.data) state.stale = true;
      else {
        state.error = e.message;
        fail(e);
      }
    } finally {
      state.loading = false;
    }
  };
  onMounted(reload);
  return { state, reload };
}

function readCache(key) {
  try {
    return key ? JSON.parse(localStorage.getItem(key)) : null;
  } catch {
    return null;
  }
}

export const Stale = {
  props: { show: Boolean },
  template: `<van-notice-bar v-if="show" left-icon="warning-o" class="stale" text="当前无网络，显示的是上次的数据" />`,
};

// ------------------------------------------------------------------------- 青年之声

const VOICE = `query($id: ID!) { voice(id: $id) { id kind topic title body status createdAt
  youth { name } cadre { name } org { name } replies(first: 100) { nodes { body fromYouth createdAt } } } }`;

export const VoiceDetail = {
  components: { Page, NotFound },
  props: { id: String },
  setup(props) {
    const isCadre = computed(() => auth.session && auth.session.kind === "cadre");
    const { state, reload } = useLoad(async () => (await gql(VOICE, { id: props.id })).voice);
    const reply = ref("");
    const sending = ref(false);
    const send = () =>
      attempt(async () => {
        if (!reply.value.trim()) throw new Error("请输入回复内容");
        sending.value = true;
        try {
          await gql(`mutation($id: ID!, $b: String!) { replyVoice(id: $id, body: $b) { id } }`, {
            id: props.id,
            b: reply.value,
          });
          reply.value = "";
          await reload();
        } finally {
          sending.value = false;
        }
      });
    const close = () =>
      attempt(async () => {
        await gql(`mutation($id: ID!) { closeVoice(id: $id) { id } }`, { id: props.id });
        showSuccessToast("已关闭");
        await reload();
      });
    return { state, reply, send, close, sending, isCadre, when, VOICE_KIND, VOICE_STATUS };
  },
  template: `
    <NotFound v-if="state.missing" message="这条青年之声不存在，或你无权查看" />
    <Page v-else title="青年之声">
      <van-skeleton v-if="state.loading && !state.data" title :row="4" />
      <template v-if="state.data">
        <div class="card">
          <div class="card-title">{{ state.data.title }}</div>
          <div class="muted">
            <van-tag plain type="primary">{{ VOICE_KIND[state.data.kind] }}</van-tag>
            <van-tag :type="state.data.status === 'OPEN' ? 'warning' : 'success'" class="ml">{{ VOICE_STATUS[state.data.status] }}</van-tag>
            <span class="ml">{{ when(state.data.createdAt) }}</span>
          </div>
          <p class="body">{{ state.data.body }}</p>
          <div class="muted" v-if="isCadre && state.data.youth">来自 {{ state.data.youth.name }}</div>
          <div class="muted" v-else>发给 {{ state.data.cadre ? state.data.cadre.name : (state.data.org && state.data.org.name) }}</div>
        </div>
        <van-cell-group inset title="回复" class="replies">
          <van-cell v-for="(r, i) in state.data.replies.nodes" :key="i" class="reply"
            :title="(r.fromYouth ? (isCadre ? '小伙伴' : '我') : (isCadre ? '我' : '团干部')) + ' · ' + when(r.createdAt)" :label="r.body" />
          <van-empty v-if="!state.data.replies.nodes.length" image-size="60" description="还没有回复" />
        </van-cell-group>
        <div v-if="state.data.status !== 'CLOSED'" class="compose">
          <van-field v-model="reply" type="textarea" rows="2" autosize placeholder="写下回复" maxlength="2000" aria-label="回复内容" />
          <van-button block type="primary" :loading="sending" @click="send">回复</van-button>
          <van-button v-if="isCadre" block plain class="mt" @click="close">关闭这条青年之声</van-button>
        </div>
      </template>
    </Page>`,
};

// ------------------------------------------------------------------------- 微心愿

const WISH = `query($id: ID!) { wish(id: $id) { id category title description status evidence reason
  submittedAt updatedAt youth { name } cadre { id name } poolOrg { name }
  history(first: 100) { nodes { fromStatus toStatus bySystem note at } } allowedActions { action to } } }`;

// What an action asks for before it goes: a reason to reject, what was done to fulfil.
const ASKS = {
  REJECT: { field: "note", title: "不予受理的原因", required: true },
  FULFIL: { field: "evidence", title: "实现情况", required: true },
  ACCEPT: { field: "note", title: "给小伙伴的话（可不填）", required: false },
  CONFIRM: { field: "note", title: "说点什么（可不填）", required: false },
  WITHDRAW: { field: "note", title: "撤回原因（可不填）", required: false },
  ESCALATE: { field: "note", title: "说明（可不填）", required: false },
};

export const WishDetail = {
  components: { Page, NotFound, TextPrompt },
  props: { id: String },
  setup(props) {
    const isYouth = computed(() => auth.session && auth.session.kind === "youth");
    const { state, reload } = useLoad(async () => (await gql(WISH, { id: props.id })).wish);
    const asking = reactive({ show: false, action: null, title: "", required: false });
    const live = ref("offline");
    const act = (action) => {
      const ask = ASKS[action] || { field: "note", title: "说明", required: false };
      Object.assign(asking, { show: true, action, title: ask.title, required: ask.required });
    };
    const go = (text) =>
      attempt(async () => {
        const field = (ASKS[asking.action] || {}).field || "note";
        const variables = { id: props.id, a: asking.action, n: "", e: null };
        if (field === "evidence") variables.e = text;
        else variables.n = text;
        const { actOnWish } = await gql(
          `mutation($id: ID!, $a: WishAction!, $n: String!, $e: String) {
            actOnWish(id: $id, action: $a, note: $n, evidence: $e) { id status } }`,
          variables,
        );
        showSuccessToast(WISH_STATUS[actOnWish.status]);
        await reload();
      });
    // The youth follows their wish live: the subscription pushes every change.
    let stop = null;
    onMounted(() => {
      const query = isYouth.value
        ? `subscription { myWishUpdates { id status } }`
        : `subscription { myInbox { kind wish { id status } } }`;
      stop = subscribe(
        query,
        {},
        (data) => {
          const wish = data.myWishUpdates || (data.myInbox && data.myInbox.wish);
          if (wish && wish.id === props.id) reload();
        },
        (s) => (live.value = s),
      );
    });
    onUnmounted(() => stop && stop());
    return { state, act, go, asking, live, isYouth, when, WISH_ACTION, WISH_CATEGORY, WISH_STATUS };
  },
  template: `
    <NotFound v-if="state.missing" message="这个心愿不存在，或你无权查看" />
    <Page v-else title="微心愿">
      <van-skeleton v-if="state.loading && !state.data" title :row="4" />
      <template v-if="state.data">
        <div class="card">
          <div class="card-title">{{ state.data.title }}</div>
          <div class="muted">
            <van-tag plain type="primary">{{ WISH_CATEGORY[state.data.category] }}</van-tag>
            <van-tag type="success" class="ml wish-status">{{ WISH_STATUS[state.data.status] }}</van-tag>
            <span class="ml live" :class="live">{{ live === 'live' ? '● 实时' : '○ 离线' }}</span>
          </div>
          <p class="body">{{ state.data.description }}</p>
          <div class="muted" v-if="!isYouth && state.data.youth">来自 {{ state.data.youth.name }}</div>
          <div class="muted" v-if="isYouth && state.data.cadre">团干部 {{ state.data.cadre.name }}</div>
          <div class="muted" v-if="state.data.poolOrg">心愿池：{{ state.data.poolOrg.name }}</div>
          <p class="body" v-if="state.data.evidence">实现情况：{{ state.data.evidence }}</p>
          <p class="body" v-if="state.data.reason">未受理原因：{{ state.data.reason }}</p>
        </div>
        <div class="actions" v-if="state.data.allowedActions.length">
          <van-button v-for="t in state.data.allowedActions" :key="t.action" round
            :type="t.action === 'REJECT' || t.action === 'WITHDRAW' ? 'default' : 'primary'"
            @click="act(t.action)">{{ WISH_ACTION[t.action] }}</van-button>
        </div>
        <van-cell-group inset title="进展">
          <van-steps direction="vertical" :active="state.data.history.nodes.length - 1">
            <van-step v-for="(h, i) in state.data.history.nodes" :key="i">
              <div>{{ WISH_STATUS[h.toStatus] }}<span v-if="h.bySystem" class="muted">（系统）</span></div>
              <div class="muted">{{ when(h.at) }} {{ h.note }}</div>
            </van-step>
          </van-steps>
        </van-cell-group>
      </template>
      <TextPrompt v-model:show="asking.show" :title="asking.title" :required="asking.required" @done="go" />
    </Page>`,
};

// ------------------------------------------------------------------------- 活动讨论

export const Discussions = {
  components: { Page, TextPrompt },
  setup() {
    const isCadre = computed(() => auth.session && auth.session.kind === "cadre");
    const base = computed(() => (isCadre.value ? "/c" : "/y"));
    const { state, reload } = useLoad(
      async () =>
        (await gql(`{ discussions(first: 50) { nodes { id title body isClosed createdAt } } }`))
          .discussions.nodes,
    );
    const form = reactive({ show: false, title: "", body: "" });
    const open = () =>
      attempt(async () => {
        await gql(`mutation($t: String!, $b: String!) { openDiscussion(title: $t, body: $b) { id } }`, {
          t: form.title,
          b: form.body,
        });
        Object.assign(form, { show: false, title: "", body: "" });
        showSuccessToast("已发起");
        await reload();
      });
    return { state, isCadre, base, form, open, when };
  },
  template: `
    <Page title="活动讨论">
      <template #right><span v-if="isCadre" @click="form.show = true" class="link">发起</span></template>
      <van-cell-group inset class="mt">
        <van-cell v-for="d in (state.data || []).slice().reverse()" :key="d.id" :title="d.title" :label="when(d.createdAt)"
          :to="base + '/discussions/' + encodeURIComponent(d.id)" is-link :value="d.isClosed ? '已关闭' : ''" />
      </van-cell-group>
      <van-empty v-if="state.data && !state.data.length" description="还没有讨论" />
      <van-popup v-model:show="form.show" position="bottom" round teleport="body">
        <van-form @submit="open" class="sheet">
          <van-field v-model="form.title" label="题目" placeholder="例如：周末志愿活动怎么安排？" :rules="[{ required: true, message: '请填写题目' }]" />
          <van-field v-model="form.body" label="内容" type="textarea" rows="3" autosize placeholder="想和小伙伴们聊什么" />
          <van-button block round type="primary" native-type="submit">发起讨论</van-button>
        </van-form>
      </van-popup>
    </Page>`,
};

const DISCUSSION = `query($id: ID!) { discussion(id: $id) { id title body isClosed createdAt
  replies(first: 100) { nodes { id body fromYouth hidden createdAt } } } }`;

export const DiscussionDetail = {
  components: { Page, NotFound },
  props: { id: String },
  setup(props) {
    const isCadre = computed(() => auth.session && auth.session.kind === "cadre");
    const { state, reload } = useLoad(async () => (await gql(DISCUSSION, { id: props.id })).discussion);
    const text = ref("");
    const send = () =>
      attempt(async () => {
        if (!text.value.trim()) throw new Error("请输入内容");
        await gql(`mutation($id: ID!, $b: String!) { replyDiscussion(id: $id, body: $b) { id } }`, {
          id: props.id,
          b: text.value,
        });
        text.value = "";
        await reload();
      });
    const moderate = (reply) =>
      attempt(async () => {
        await gql(`mutation($id: ID!, $h: Boolean!) { moderateReply(id: $id, hidden: $h) }`, {
          id: reply.id,
          h: !reply.hidden,
        });
        await reload();
      });
    const close = () =>
      attempt(async () => {
        await gql(`mutation($id: ID!) { closeDiscussion(id: $id) { id } }`, { id: props.id });
        await reload();
      });
    return { state, text, send, moderate, close, isCadre, when };
  },
  template: `
    <NotFound v-if="state.missing" message="这个讨论不存在，或你无权查看" />
    <Page v-else title="活动讨论">
      <template v-if="state.data">
        <div class="card">
          <div class="card-title">{{ state.data.title }}</div>
          <div class="muted">{{ when(state.data.createdAt) }} <van-tag v-if="state.data.isClosed" class="ml">已关闭</van-tag></div>
          <p class="body" v-if="state.data.body">{{ state.data.body }}</p>
        </div>
        <van-cell-group inset title="回复">
          <van-cell v-for="r in state.data.replies.nodes" :key="r.id" :label="when(r.createdAt)" :class="{ hidden: r.hidden }">
            <template #title>{{ r.fromYouth ? '' : '团干部：' }}{{ r.body }}<span v-if="r.hidden" class="muted">（已隐藏）</span></template>
            <template #value><van-button v-if="isCadre && r.fromYouth" size="mini" @click="moderate(r)">{{ r.hidden ? '恢复' : '隐藏' }}</van-button></template>
          </van-cell>
          <van-empty v-if="!state.data.replies.nodes.length" image-size="60" description="还没有回复" />
        </van-cell-group>
        <div v-if="!state.data.isClosed" class="compose">
          <van-field v-model="text" type="textarea" rows="2" autosize placeholder="说说你的想法" maxlength="2000" aria-label="回复内容" />
          <van-button block type="primary" @click="send">发送</van-button>
          <van-button v-if="isCadre" block plain class="mt" @click="close">关闭讨论</van-button>
        </div>
      </template>
    </Page>`,
};
