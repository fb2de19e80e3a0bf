namespace Tracking.Grains;

/// <summary>A map of at most a fixed number of entries; adding past it drops the one used least recently.</summary>
public sealed class LruCache<TKey, TValue>(int capacity) where TKey : notnull
{
    readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> entries = new(capacity);
    readonly LinkedList<(TKey Key, TValue Value)> recency = new();
    readonly Lock gate = new();

    public int Count { get { lock (gate) return entries.Count; } }

    public bool TryGet(TKey key, out TValue value)
    {
        lock (gate)
        {
            if (entries.TryGetValue(key, out var node))
            {
                recency.Remove(node);
                recency.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }
        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        lock (gate)
        {
            if (entries.Remove(key, out var existing)) recency.Remove(existing);
            else if (entries.Count >= capacity)
            {
                entries.Remove(recency.Last!.Value.Key);
                recency.RemoveLast();
            }
            entries[key] = recency.AddFirst((key, value));
        }
    }
}
