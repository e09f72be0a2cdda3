// 日志: log a contact or an activity (kept on the phone first, see outbox.js), the list of
// my logs, and corrections within the edit window.
import { gql } from "../api.js";
import { discard, flush, mine, outbox, submit } from "../outbox.js";
import { ACTIVITY, CHANNEL, attempt, localInput, options, when, withZone } from "../util.js";
import { Page, PickerField, NotFound, Stale, TextPrompt, useLoad } from "./shared.js";

const { ref, reactive, computed, nextTick } = Vue;
const { showSuccessToast, showToast, showConfirmDialog } = vant;

// Waiting writes: shown on the home page and above the log list.
export const OutboxBar = {
  setup() {
    const items = computed(() => mine());
    const failed = computed(() => items.value.filter((i) => i.error));
    const send = async () => {
      await flush();
      if (!mine().some((i) => !i.error)) showSuccessToast("已全部发送");
    };
    const drop = (item) =>
      showConfirmDialog({ title: "放弃这条记录？", message: item.error })
        .then(() => discard(item.key))
        .catch(() => {});
    return { items, failed, send, drop, outbox, when };
  },
  template: `
    <div v-if="items.length" class="outbox" role="status">
      <van-notice-bar left-icon="info-o" wrapable :scrollable="false">
        <span class="outbox-count">{{ items.length - failed.length }} 条记录待发送</span>（无网络时保存在本机，联网后自动发送）
      </van-notice-bar>
      <van-cell v-for="i in failed" :key="i.key" :title="i.label" :label="'未能保存：' + i.error" is-link @click="drop(i)" />
      <div class="pad" v-if="items.length > failed.length">
        <van-button size="small" round type="primary" :loading="outbox.sending" @click="send">立即发送</van-button>
      </div>
    </div>`,
};

const CONTACTS = `{ myContacts(status: ACTIVE, first: 100) { nodes { id status youth { id name } } } }`;

// Only an accepted link is a relationship: logs name youth who accepted (the API refuses
// the others, and does not even name them to the inviter).
const linkedYouth = (c) => c.status === "ACTIVE" && c.youth;

const LOG_CONTACT = `mutation($input: LogContactInput!) { logContact(input: $input) { id } }`;
const LOG_ACTIVITY = `mutation($input: LogActivityInput!) { logActivity(input: $input) { id } }`;

async function keep(label, query, input, router) {
  const result = await submit(label, query, { input });
  if (result.sent) showSuccessToast("已记录");
  else showToast({ message: "暂无网络，已保存在本机，联网后自动发送", duration: 3000 });
  router.replace("/c");
}

// Home → 记联系 (1) → the youth (2) → type → 保存 (3). The channel starts at 微信, the time
// at now; both can be changed.
export const LogContact = {
  components: { Page, Stale },
  setup() {
    const router = VueRouter.useRouter();
    const route = VueRouter.useRoute();
    const form = reactive({ youthId: route.query.youth || "", channel: "WECHAT", content: "", at: localInput() });
    const search = ref("");
    const busy = ref(false);
    const textarea = ref(null);
    const { state } = useLoad(
      async () => (await gql(CONTACTS)).myContacts.nodes.filter(linkedYouth),
      "contacts",
    );
    const shown = computed(() =>
      (state.data || []).filter((c) => !search.value || c.youth.name.includes(search.value)),
    );
    const pick = (c) => {
      form.youthId = c.youth.id;
      nextTick(() => textarea.value && textarea.value.focus());
    };
    const save = () =>
      attempt(async () => {
        if (!form.youthId) throw new Error("请选择小伙伴");
        if (!form.content.trim()) throw new Error("请填写联系内容");
        busy.value = true;
        try {
          const who = (state.data || []).find((c) => c.youth.id === form.youthId);
          await keep(
            `联系 ${who ? who.youth.name : ""}（${CHANNEL[form.channel]}）`,
            LOG_CONTACT,
            { youthId: form.youthId, channel: form.channel, content: form.content.trim(), occurredAt: withZone(form.at) },
            router,
          );
        } finally {
          busy.value = false;
        }
      });
    return { form, search, shown, state, pick, save, busy, textarea, channels: options(CHANNEL) };
  },
  template: `
    <Page title="记联系">
      <Stale :show="state.stale" />
      <van-cell-group inset title="联系谁">
        <van-search v-if="(state.data || []).length > 12" v-model="search" placeholder="搜索姓名" shape="round" />
        <div class="chips youth-chips" role="listbox" aria-label="小伙伴">
          <button v-for="c in shown" :key="c.id" type="button" class="chip" role="option" :aria-selected="form.youthId === c.youth.id"
            :class="{ on: form.youthId === c.youth.id }" @click="pick(c)">{{ c.youth.name }}</button>
          <span v-if="state.data && !state.data.length" class="muted">还没有确认联系的小伙伴：先在“小伙伴”页邀请，对方接受后即可记录</span>
        </div>
      </van-cell-group>
      <van-cell-group inset title="方式">
        <div class="chips" role="radiogroup" aria-label="联系方式">
          <button v-for="c in channels" :key="c.value" type="button" class="chip small" role="radio" :aria-checked="form.channel === c.value"
            :class="{ on: form.channel === c.value }" @click="form.channel = c.value">{{ c.text }}</button>
        </div>
      </van-cell-group>
      <van-cell-group inset title="内容">
        <van-field ref="textarea" v-model="form.content" type="textarea" rows="4" autosize maxlength="2000" show-word-limit
          placeholder="聊了什么、帮了什么" aria-label="联系内容" />
        <van-field label="时间" class="time-field">
          <template #input><input type="datetime-local" v-model="form.at" :max="form.at" class="native-input" aria-label="联系时间" /></template>
        </van-field>
      </van-cell-group>
      <div class="pad"><van-button round block type="primary" :loading="busy" @click="save">保存</van-button></div>
    </Page>`,
};

const PROGRESS = `{ myQuotaProgress { kindsDone kindsMissing } }`;

// Home → 记活动 (1) → (the kind starts at the first one still missing) type → 保存 (2–3).
export const LogActivity = {
  components: { Page, Stale },
  setup() {
    const router = VueRouter.useRouter();
    const form = reactive({ kind: "", place: "", content: "", at: localInput(), participants: [] });
    const busy = ref(false);
    const picking = ref(false);
    const { state } = useLoad(async () => {
      const [{ myQuotaProgress: p }, { myContacts }] = await Promise.all([gql(PROGRESS), gql(CONTACTS)]);
      // The listed kinds are examples (比如): all are offered, the missing ones first when
      // the province asks for variety (only then is any kind "missing").
      const listed = Object.keys(ACTIVITY).slice(0, 5);
      const kinds = p ? [...new Set([...p.kindsMissing, ...p.kindsDone, ...listed])] : listed;
      if (!form.kind) form.kind = kinds[0];
      return { kinds, missing: p ? p.kindsMissing : [], youth: myContacts.nodes.filter(linkedYouth) };
    }, "activity");
    if (state.data && !form.kind) form.kind = state.data.kinds[0];
    const names = computed(() =>
      (state.data ? state.data.youth : []).filter((c) => form.participants.includes(c.youth.id)).map((c) => c.youth.name),
    );
    const save = () =>
      attempt(async () => {
        if (!form.content.trim()) throw new Error("请填写活动内容");
        busy.value = true;
        try {
          await keep(
            `活动：${ACTIVITY[form.kind]}`,
            LOG_ACTIVITY,
            {
              kind: form.kind,
              content: form.content.trim(),
              place: form.place.trim(),
              occurredAt: withZone(form.at),
              participantIds: form.participants,
            },
            router,
          );
        } finally {
          busy.value = false;
        }
      });
    return { form, state, busy, picking, names, save, ACTIVITY };
  },
  template: `
    <Page title="记活动">
      <Stale :show="state.stale" />
      <van-cell-group inset title="活动类型（“五个一”）">
        <div class="chips" role="radiogroup" aria-label="活动类型">
          <button v-for="k in (state.data ? state.data.kinds : [])" :key="k" type="button" class="chip" role="radio" :aria-checked="form.kind === k"
            :class="{ on: form.kind === k }" @click="form.kind = k">{{ ACTIVITY[k] }}<small v-if="state.data.missing.includes(k)">未完成</small></button>
        </div>
      </van-cell-group>
      <van-cell-group inset title="内容">
        <van-field v-model="form.content" type="textarea" rows="3" autosize maxlength="2000" show-word-limit placeholder="活动做了什么" aria-label="活动内容" />
        <van-field v-model="form.place" label="地点" placeholder="例如：社区活动室" maxlength="200" />
        <van-field label="时间">
          <template #input><input type="datetime-local" v-model="form.at" class="native-input" aria-label="活动时间" /></template>
        </van-field>
        <van-field label="参与者" is-link readonly :model-value="names.length ? names.join('、') : ''" placeholder="从名单中选择（可不选）" @click="picking = true" />
      </van-cell-group>
      <div class="pad"><van-button round block type="primary" :loading="busy" @click="save">保存</van-button></div>
      <van-popup v-model:show="picking" position="bottom" round teleport="body" :style="{ maxHeight: '70%' }">
        <van-checkbox-group v-model="form.participants" class="sheet">
          <van-cell-group title="参与的小伙伴">
            <van-cell v-for="c in (state.data ? state.data.youth : [])" :key="c.id" :title="c.youth.name" clickable
              @click="form.participants.includes(c.youth.id) ? form.participants.splice(form.participants.indexOf(c.youth.id), 1) : form.participants.push(c.youth.id)">
              <template #right-icon><van-checkbox :name="c.youth.id" @click.stop /></template>
            </van-cell>
          </van-cell-group>
          <div class="pad"><van-button block round type="primary" @click="picking = false">完成</van-button></div>
        </van-checkbox-group>
      </van-popup>
    </Page>`,
};

const LOGS = `{ workLogs(first: 50) { nodes { id kind channel activityKind place content occurredAt
  locked youthConfirmed youth { name } participantCount } } }`;

export const MyLogs = {
  components: { Page, OutboxBar },
  setup() {
    const { state } = useLoad(async () => (await gql(LOGS)).workLogs.nodes.slice().reverse());
    const title = (l) =>
      l.kind === "CONTACT" ? `联系 ${l.youth ? l.youth.name : ""}（${CHANNEL[l.channel]}）` : `活动：${ACTIVITY[l.activityKind]}`;
    const confirmation = (l) =>
      l.youthConfirmed === true ? "小伙伴已确认" : l.youthConfirmed === false ? "小伙伴否认" : "";
    return { state, title, confirmation, when };
  },
  template: `
    <Page title="我的日志">
      <OutboxBar />
      <van-cell-group inset class="mt">
        <van-cell v-for="l in state.data || []" :key="l.id" :title="title(l)" :label="when(l.occurredAt) + ' · ' + l.content"
          :to="l.locked ? undefined : '/c/logs/' + encodeURIComponent(l.id)" :is-link="!l.locked" class="log-row">
          <template #value>
            <span class="muted">{{ l.locked ? '已锁定' : '可修改' }}</span>
            <div class="muted" v-if="confirmation(l)">{{ confirmation(l) }}</div>
          </template>
        </van-cell>
      </van-cell-group>
      <van-empty v-if="state.data && !state.data.length" description="还没有日志" />
    </Page>`,
};

const LOG = `query($id: ID!) { workLog(id: $id) { id kind channel activityKind place content occurredAt locked
  youth { name } } }`;

// Corrections while the edit window is open (WORK_LOG_EDIT_HOURS, 72 by default); then the
// API answers CONFLICT and the page says the log is locked.
export const EditLog = {
  components: { Page, PickerField, NotFound, TextPrompt },
  props: { id: String },
  setup(props) {
    const router = VueRouter.useRouter();
    const form = reactive({ content: "", channel: "", activityKind: "", place: "", at: "" });
    const asking = ref(false);
    const { state } = useLoad(async () => {
      const log = (await gql(LOG, { id: props.id })).workLog;
      Object.assign(form, {
        content: log.content,
        channel: log.channel,
        activityKind: log.activityKind,
        place: log.place,
        at: localInput(new Date(log.occurredAt)),
      });
      return log;
    });
    const save = () =>
      attempt(async () => {
        const input = { id: props.id, content: form.content, occurredAt: withZone(form.at) };
        if (state.data.kind === "CONTACT") input.channel = form.channel;
        else Object.assign(input, { activityKind: form.activityKind, place: form.place });
        await gql(`mutation($input: UpdateWorkLogInput!) { updateWorkLog(input: $input) { id } }`, { input });
        showSuccessToast("已修改");
        router.replace("/c/logs");
      });
    const remove = (reason) =>
      attempt(async () => {
        await gql(`mutation($id: ID!, $r: String!) { deleteWorkLog(id: $id, reason: $r) { id } }`, {
          id: props.id,
          r: reason,
        });
        showSuccessToast("已删除");
        router.replace("/c/logs");
      });
    return { state, form, save, remove, asking, channels: options(CHANNEL), kinds: options(ACTIVITY) };
  },
  template: `
    <NotFound v-if="state.missing" message="这条日志不存在，或不是你写的" />
    <Page v-else title="修改日志">
      <template v-if="state.data">
        <van-notice-bar v-if="state.data.locked" left-icon="lock" text="这条日志已超过可修改时限，已锁定。" />
        <van-cell-group inset class="mt">
          <van-cell v-if="state.data.youth" title="小伙伴" :value="state.data.youth.name" />
          <PickerField v-if="state.data.kind === 'CONTACT'" label="方式" v-model="form.channel" :options="channels" />
          <PickerField v-else label="类型" v-model="form.activityKind" :options="kinds" />
          <van-field v-if="state.data.kind === 'ACTIVITY'" v-model="form.place" label="地点" />
          <van-field label="时间"><template #input><input type="datetime-local" v-model="form.at" class="native-input" aria-label="时间" /></template></van-field>
          <van-field v-model="form.content" label="内容" type="textarea" rows="4" autosize maxlength="2000" show-word-limit />
        </van-cell-group>
        <div class="pad" v-if="!state.data.locked">
          <van-button round block type="primary" @click="save">保存修改</van-button>
          <van-button round block plain type="danger" class="mt" @click="asking = true">删除这条日志</van-button>
        </div>
      </template>
      <TextPrompt v-model:show="asking" title="删除原因" required placeholder="例如：重复记录" @done="remove" />
    </Page>`,
};
